package io.riffle.connector.kafka;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;

/** Each row in the {@link FixedWidthLayout} of its schema: what {@link FixedWidthDecoder} reads. */
final class FixedWidthEncoder implements RecordEncoder {
    @Override
    public RowEncoder open(BatchSchema schema) {
        FixedWidthLayout layout = new FixedWidthLayout(schema);
        int[] columns = new int[schema.columnCount()];
        for (int c = 0; c < columns.length; c++) {
            columns[c] = c;
        }
        return new RowEncoder() {
            @Override
            public byte[] key(RecordBatch batch, int row) {
                return null;
            }

            @Override
            public byte[] value(RecordBatch batch, int row) {
                return encode(layout, batch, row, columns);
            }
        };
    }

    /** Keys in little-endian bytes, as the values' fields are. */
    @Override
    public RecordEncoder withKey(String field) {
        return new KeyedEncoder(this, field, true);
    }

    /** Row {@code row}'s {@code columns} in {@code layout} (laid out for those columns, in that order). */
    static byte[] encode(FixedWidthLayout layout, RecordBatch batch, int row, int[] columns) {
        byte[] out = new byte[layout.width];
        for (int i = 0; i < columns.length; i++) {
            int c = columns[i];
            int at = layout.offsets[i];
            if (batch.vector(c).isNull(row)) {
                throw new IllegalArgumentException("field '" + batch.schema().column(c).name() + "' is null in a row,"
                        + " and a fixed-width layout has no nulls");
            }
            ColumnType type = layout.types[i];
            switch (type) {
                case INT64 -> FixedWidthLayout.LONG.set(out, at, batch.int64(c).get(row));
                case TIMESTAMP_MS -> FixedWidthLayout.LONG.set(out, at, batch.timestampMs(c).get(row));
                case INT32 -> FixedWidthLayout.INT.set(out, at, batch.int32(c).get(row));
                case FLOAT64 -> FixedWidthLayout.DOUBLE.set(out, at, batch.float64(c).get(row));
                case BOOL -> out[at] = (byte) batch.bool(c).get(row);
                default -> throw new IllegalStateException("no fixed-width " + type);
            }
        }
        return out;
    }
}
