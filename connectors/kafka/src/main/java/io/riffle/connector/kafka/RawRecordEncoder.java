package io.riffle.connector.kafka;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.jspecify.annotations.Nullable;

/**
 * The raw encoder: field "value" (binary, or utf8 as its UTF-8 bytes) is the record value and the optional
 * field "key" (binary or utf8) the record key; other fields are not written. A null key is no key, a null
 * value a tombstone. Rows of the raw decoder's schema encode back to the records they came from.
 */
final class RawRecordEncoder implements RecordEncoder {
    @Override
    public RowEncoder open(BatchSchema schema) {
        int value = field(schema, "value", true);
        int key = field(schema, "key", false);
        return new RowEncoder() {
            @Override
            public byte @Nullable [] key(RecordBatch batch, int row) {
                return key < 0 ? null : bytes(batch, key, row);
            }

            @Override
            public byte @Nullable [] value(RecordBatch batch, int row) {
                return bytes(batch, value, row);
            }
        };
    }

    /** The index of field {@code name}, -1 when an optional one is absent; fails unless it is binary or utf8. */
    private static int field(BatchSchema schema, String name, boolean required) {
        int index = 0;
        while (index < schema.columnCount() && !schema.column(index).name().equals(name)) {
            index++;
        }
        if (index == schema.columnCount()) {
            index = -1;
        }
        if (index < 0) {
            if (required) {
                throw new IllegalArgumentException("the raw Kafka encoder writes field 'value' as the record value,"
                        + " but the rows have no field 'value': " + schema);
            }
            return -1;
        }
        ColumnType type = schema.column(index).type();
        if (type != ColumnType.BINARY && type != ColumnType.UTF8) {
            throw new IllegalArgumentException("the raw Kafka encoder writes field '" + name + "' as the record "
                    + name + ", but " + schema.describe(index) + " is neither binary nor utf8");
        }
        return index;
    }

    private static byte @Nullable [] bytes(RecordBatch batch, int column, int row) {
        BaseVariableWidthVector vector = (BaseVariableWidthVector) batch.vector(column);
        if (vector.isNull(row)) {
            return null;
        }
        int start = vector.getStartOffset(row);
        byte[] bytes = new byte[vector.getEndOffset(row) - start];
        vector.getDataBuffer().getBytes(start, bytes);
        return bytes;
    }
}
