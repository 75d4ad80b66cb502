package io.riffle.connector.kafka;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;

/** One utf8 field of each row as the record's value. */
final class LinesEncoder implements RecordEncoder {
    private final String field;

    LinesEncoder(String field) {
        this.field = field;
    }

    @Override
    public RowEncoder open(BatchSchema schema) {
        int line = schema.indexOf(field);
        if (schema.column(line).type() != ColumnType.UTF8) {
            throw new IllegalArgumentException("field '" + field + "' is " + schema.column(line).type()
                    + ": lines are utf8");
        }
        return new RowEncoder() {
            @Override
            public byte[] key(RecordBatch batch, int row) {
                return null;
            }

            @Override
            public byte[] value(RecordBatch batch, int row) {
                byte[] value = batch.utf8(line).get(row);
                if (value == null) {
                    throw new IllegalArgumentException("field '" + field + "' is null in a row: a line needs text");
                }
                return value;
            }
        };
    }
}
