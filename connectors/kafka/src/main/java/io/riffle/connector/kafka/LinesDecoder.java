package io.riffle.connector.kafka;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.vector.VarCharVector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Each record's value, checked UTF-8, as one utf8 field. */
final class LinesDecoder implements RecordDecoder {
    private final BatchSchema schema;

    LinesDecoder(String field) {
        this.schema = BatchSchema.of(Column.of(field, ColumnType.UTF8));
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public void decode(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row)
            throws RecordDecodeException {
        VarCharVector lines = out.utf8(0);
        for (int i = from; i < to; i++, row++) {
            byte[] value = records.get(i).value();
            if (value == null) {
                throw new RecordDecodeException(i - from, "the record has no value (a tombstone)");
            }
            if (!FieldValues.isUtf8(value)) {
                throw new RecordDecodeException(i - from, "the value is not UTF-8 text");
            }
            lines.setSafe(row, value);
        }
    }
}
