package io.riffle.columnar.batch;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Appends Java rows ({@code Object[]} or {@link Row}) to a batch, checking every value against the
 * schema first: a row with a value of the wrong type, a null in a non-nullable field or the wrong
 * number of fields is rejected whole with an error naming the row, the field and its type, and the
 * builder stays usable. Single-threaded. The values accepted are those {@link BatchSchema#misfit(int, Object)}
 * accepts.
 *
 * <pre>{@code
 * try (RecordBatchBuilder b = new RecordBatchBuilder(schema, allocator)) {
 *     b.addRow("apple", 1L).addRow("banana", 2L);
 *     RecordBatch batch = b.build();
 * }
 * }</pre>
 */
public final class RecordBatchBuilder implements AutoCloseable {
    private final BatchSchema schema;
    private final BufferAllocator allocator;
    private final int initialCapacity;
    private RecordBatch batch;
    private int rows;
    private long rowsAdded;

    public RecordBatchBuilder(BatchSchema schema, BufferAllocator allocator) {
        this(schema, allocator, 1024);
    }

    public RecordBatchBuilder(BatchSchema schema, BufferAllocator allocator, int initialCapacity) {
        this.schema = schema;
        this.allocator = allocator;
        this.initialCapacity = initialCapacity;
    }

    /** Builds one batch from {@code rows}. */
    public static RecordBatch fromRows(BatchSchema schema, BufferAllocator allocator, Object[]... rows) {
        try (RecordBatchBuilder builder = new RecordBatchBuilder(schema, allocator, Math.max(1, rows.length))) {
            for (Object[] row : rows) {
                builder.addRow(row);
            }
            return builder.build();
        }
    }

    /** Appends one row: field {@code i} of {@code values} goes to column {@code i}. */
    public RecordBatchBuilder addRow(Object... values) {
        if (values.length != schema.columnCount()) {
            throw new IllegalArgumentException("row " + rowsAdded + " has " + values.length + " fields; the schema "
                    + schema + " has " + schema.columnCount());
        }
        for (int c = 0; c < values.length; c++) {
            check(c, values[c]);
        }
        RecordBatch target = target();
        for (int c = 0; c < values.length; c++) {
            write(target.vector(c), c, values[c]);
        }
        rows++;
        rowsAdded++;
        return this;
    }

    /** Appends one row: field {@code i} of {@code row} goes to column {@code i}. */
    public RecordBatchBuilder addRow(Row row) {
        int arity = row.arity();
        Object[] values = new Object[arity];
        for (int i = 0; i < arity; i++) {
            values[i] = row.field(i);
        }
        return addRow(values);
    }

    /** Rows appended to the batch under construction. */
    public int rowCount() {
        return rows;
    }

    /** The batch of the rows appended since the last build; the caller owns it. The builder starts anew. */
    public RecordBatch build() {
        RecordBatch result = target();
        result.setRowCount(rows);
        batch = null;
        rows = 0;
        return result;
    }

    /** Frees the rows appended since the last build. */
    @Override
    public void close() {
        if (batch != null) {
            batch.close();
            batch = null;
        }
    }

    private RecordBatch target() {
        if (batch == null) {
            batch = RecordBatch.allocate(schema, allocator, initialCapacity);
        }
        return batch;
    }

    private void check(int c, Object value) {
        String wrong = schema.misfit(c, value);
        if (wrong != null) {
            throw new IllegalArgumentException("row " + rowsAdded + ", " + schema.describe(c) + ": " + wrong);
        }
    }

    private void write(FieldVector vector, int c, Object value) {
        if (value == null) {
            vector.setNull(rows);
            return;
        }
        switch (schema.column(c).type()) {
            case INT32: ((IntVector) vector).setSafe(rows, ((Number) value).intValue()); break;
            case INT64: ((BigIntVector) vector).setSafe(rows, ((Number) value).longValue()); break;
            case FLOAT64: ((Float8Vector) vector).setSafe(rows, ((Number) value).doubleValue()); break;
            case BOOL: ((BitVector) vector).setSafe(rows, (Boolean) value ? 1 : 0); break;
            case UTF8: ((VarCharVector) vector).setSafe(rows, value.toString().getBytes(StandardCharsets.UTF_8));
                break;
            case TIMESTAMP_MS: ((TimeStampMilliVector) vector).setSafe(rows,
                    value instanceof Instant ? ((Instant) value).toEpochMilli() : (Long) value); break;
            case BINARY: ((VarBinaryVector) vector).setSafe(rows, (byte[]) value); break;
            default: throw new IllegalStateException("unknown type " + schema.column(c).type());
        }
    }
}
