package io.riffle.engine.internal.operator;

import java.nio.charset.StandardCharsets;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Record;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarCharVector;

/** One row of a batch as a {@link Record}; moved from row to row, so a function call allocates no view. */
final class RowView implements Record {
    private RecordBatch batch;
    private int row;

    void point(RecordBatch batch, int row) {
        this.batch = batch;
        this.row = row;
    }

    @Override
    public int arity() {
        return batch.columnCount();
    }

    @Override
    public Object field(int index) {
        return batch.value(row, index);
    }

    @Override
    public boolean isNull(int index) {
        return batch.vector(index).isNull(row);
    }

    @Override
    public long getLong(int index) {
        FieldVector v = nonNull(index);
        switch (batch.schema().column(index).type()) {
            case INT64: return ((BigIntVector) v).get(row);
            case INT32: return ((IntVector) v).get(row);
            case TIMESTAMP_MS: return ((TimeStampMilliVector) v).get(row);
            default: return Record.super.getLong(index);
        }
    }

    @Override
    public int getInt(int index) {
        FieldVector v = nonNull(index);
        return batch.schema().column(index).type() == ColumnType.INT32 ? ((IntVector) v).get(row)
                : Record.super.getInt(index);
    }

    @Override
    public double getDouble(int index) {
        FieldVector v = nonNull(index);
        return batch.schema().column(index).type() == ColumnType.FLOAT64 ? ((Float8Vector) v).get(row)
                : Record.super.getDouble(index);
    }

    @Override
    public String getString(int index) {
        FieldVector v = batch.vector(index);
        if (v.isNull(row)) {
            return null;
        }
        return batch.schema().column(index).type() == ColumnType.UTF8
                ? new String(((VarCharVector) v).get(row), StandardCharsets.UTF_8) : Record.super.getString(index);
    }

    private FieldVector nonNull(int index) {
        FieldVector v = batch.vector(index);
        if (v.isNull(row)) {
            throw new NullPointerException(batch.schema().describe(index) + " is null in this record");
        }
        return v;
    }

    @Override
    public String toString() {
        return format(this);
    }

    /** {@code (field0,field1,...)}, as tuples print. */
    static String format(Record record) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < record.arity(); i++) {
            sb.append(i == 0 ? "" : ",").append(record.field(i));
        }
        return sb.append(')').toString();
    }
}
