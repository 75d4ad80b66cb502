package io.riffle.connector.kafka;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Another decoder's fields, then the Kafka record's timestamp as a timestamp[ms] field: event time from Kafka. */
final class RecordTimestampDecoder implements RecordDecoder {
    private final RecordDecoder fields;
    private final BatchSchema schema;
    private final int time;

    RecordTimestampDecoder(RecordDecoder fields, String name) {
        this.fields = fields;
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < fields.schema().columnCount(); c++) {
            if (fields.schema().column(c).name().equals(name)) {
                throw new IllegalArgumentException("the decoder already has a field '" + name + "': name the record"
                        + " timestamp field otherwise");
            }
            columns.add(fields.schema().column(c));
        }
        columns.add(Column.of(name, ColumnType.TIMESTAMP_MS));
        this.schema = BatchSchema.of(columns);
        this.time = columns.size() - 1;
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public void decode(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row)
            throws RecordDecodeException {
        int decoded = to - from;
        try {
            fields.decode(records, from, to, out, row);
        } catch (RecordDecodeException e) {
            decoded = e.index();
            throw e;
        } finally {
            TimeStampMilliVector times = out.timestampMs(time);
            for (int i = 0; i < decoded; i++) {
                times.setSafe(row + i, records.get(from + i).timestamp());
            }
        }
    }
}
