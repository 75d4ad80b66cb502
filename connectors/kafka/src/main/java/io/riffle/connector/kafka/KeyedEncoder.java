package io.riffle.connector.kafka;

import java.nio.charset.StandardCharsets;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;

/** Another encoder's values, keyed by one field: as text, or in the fixed-width layout's little-endian bytes. */
final class KeyedEncoder implements RecordEncoder {
    private final RecordEncoder values;
    private final String field;
    private final boolean littleEndian;

    KeyedEncoder(RecordEncoder values, String field, boolean littleEndian) {
        this.values = values;
        this.field = field;
        this.littleEndian = littleEndian;
    }

    @Override
    public RowEncoder open(BatchSchema schema) {
        RowEncoder rows = values.open(schema);
        int key = schema.indexOf(field);
        ColumnType type = schema.column(key).type();
        if (littleEndian) {
            FixedWidthLayout layout = new FixedWidthLayout(BatchSchema.of(schema.column(key)));
            int[] keyColumn = {key};
            return new RowEncoder() {
                @Override
                public byte[] key(RecordBatch batch, int row) {
                    return batch.vector(key).isNull(row) ? null : FixedWidthEncoder.encode(layout, batch, row,
                            keyColumn);
                }

                @Override
                public byte[] value(RecordBatch batch, int row) {
                    return rows.value(batch, row);
                }
            };
        }
        return new RowEncoder() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public byte[] key(RecordBatch batch, int row) {
                if (batch.vector(key).isNull(row)) {
                    return null;
                }
                text.setLength(0);
                FieldText.append(text, batch, key, type, row);
                return text.toString().getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public byte[] value(RecordBatch batch, int row) {
                return rows.value(batch, row);
            }
        };
    }
}
