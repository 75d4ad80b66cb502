package io.riffle.connector.kafka;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;

/**
 * A test encoder of (key: int64, value: int64) rows: the key's 8 little-endian bytes as the record key and
 * "key,value" as the value, so a test reads the output as text.
 */
final class KeyValueText implements RecordEncoder {
    @Override
    public RowEncoder open(BatchSchema schema) {
        int key = schema.indexOf("key");
        int value = schema.indexOf("value");
        return new RowEncoder() {
            @Override
            public byte[] key(RecordBatch batch, int row) {
                return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(batch.int64(key).get(row)).array();
            }

            @Override
            public byte[] value(RecordBatch batch, int row) {
                return (batch.int64(key).get(row) + "," + batch.int64(value).get(row)).getBytes(StandardCharsets.UTF_8);
            }
        };
    }
}
