package io.riffle.connector.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The raw decoder: each Kafka record as it is, its key and value as bytes (null stays null) beside its topic,
 * partition, offset and timestamp. No record fails to decode.
 */
final class RawRecordDecoder implements RecordDecoder {
    static final BatchSchema SCHEMA = BatchSchema.of(
            Column.nullable("key", ColumnType.BINARY),
            Column.nullable("value", ColumnType.BINARY),
            Column.of("topic", ColumnType.UTF8),
            Column.of("partition", ColumnType.INT32),
            Column.of("offset", ColumnType.INT64),
            Column.of("timestamp", ColumnType.TIMESTAMP_MS));

    @Override
    public BatchSchema schema() {
        return SCHEMA;
    }

    @Override
    public void decode(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row) {
        VarBinaryVector keys = out.binary(0);
        VarBinaryVector values = out.binary(1);
        VarCharVector topics = out.utf8(2);
        IntVector partitions = out.int32(3);
        BigIntVector offsets = out.int64(4);
        TimeStampMilliVector timestamps = out.timestampMs(5);
        // A run of records is of one partition, so its topic's bytes are encoded once, not per record.
        String topic = null;
        byte[] topicBytes = null;
        for (int i = from; i < to; i++, row++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            setBytes(keys, row, record.key());
            setBytes(values, row, record.value());
            if (!record.topic().equals(topic)) {
                topic = record.topic();
                topicBytes = topic.getBytes(StandardCharsets.UTF_8);
            }
            topics.setSafe(row, topicBytes);
            partitions.setSafe(row, record.partition());
            offsets.setSafe(row, record.offset());
            timestamps.setSafe(row, record.timestamp());
        }
    }

    private static void setBytes(VarBinaryVector vector, int row, byte[] bytes) {
        if (bytes == null) {
            vector.setNull(row);
        } else {
            vector.setSafe(row, bytes);
        }
    }
}
