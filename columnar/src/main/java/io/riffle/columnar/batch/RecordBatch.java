package io.riffle.columnar.batch;

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
 * Rows in columns: one Arrow vector per field of a {@link BatchSchema}, a row count, and an optional
 * {@link SelectionVector} naming the rows still selected (absent: all rows are). The batch owns its
 * vectors and frees them on {@link #close()}. Single-threaded: one task reads or writes it at a time;
 * handing it to another thread hands over ownership.
 *
 * <pre>{@code
 * BatchSchema schema = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("value", ColumnType.INT64));
 * try (RecordBatch batch = RecordBatch.allocate(schema, allocator, 1024)) {
 *     BigIntVector keys = batch.int64(0);
 *     ...
 *     batch.setRowCount(n);
 * }
 * }</pre>
 */
public final class RecordBatch implements AutoCloseable {
    private final BatchSchema schema;
    private final FieldVector[] vectors;
    private int rowCount;
    private SelectionVector selection;
    /** A view shows another batch's vectors and frees nothing. */
    private final boolean view;

    private RecordBatch(BatchSchema schema, FieldVector[] vectors, int rowCount) {
        this(schema, vectors, rowCount, false);
    }

    private RecordBatch(BatchSchema schema, FieldVector[] vectors, int rowCount, boolean view) {
        this.schema = schema;
        this.vectors = vectors;
        this.rowCount = rowCount;
        this.view = view;
    }

    /**
     * A batch of {@code schema} that owns no vectors: {@link #show} points it at columns of another batch,
     * for passing some of a batch's columns on without copying them; closing it frees nothing.
     */
    public static RecordBatch view(BatchSchema schema) {
        return new RecordBatch(schema, new FieldVector[schema.columnCount()], 0, true);
    }

    /**
     * Points this view at columns {@code columns} of {@code source}, with its rows and selection: column
     * {@code i} is then {@code source}'s vector {@code columns[i]}, valid while {@code source} is unchanged.
     */
    public void show(RecordBatch source, int[] columns) {
        if (!view) {
            throw new IllegalStateException("only a view shows another batch's columns; this batch owns its vectors");
        }
        if (columns.length != vectors.length) {
            throw new IllegalArgumentException("a view of " + schema + " shows " + vectors.length + " columns, not "
                    + columns.length);
        }
        for (int i = 0; i < columns.length; i++) {
            if (source.schema.column(columns[i]).type() != schema.column(i).type()) {
                throw new IllegalArgumentException(schema.describe(i) + " cannot show " + source.schema.describe(columns[i]));
            }
            vectors[i] = source.vectors[columns[i]];
        }
        rowCount = source.rowCount;
        selection = source.selection;
    }

    /**
     * Points column {@code column} of this view at {@code source}'s vector {@code sourceColumn}, leaving the
     * other columns, the rows and the selection as {@link #show} set them: a view of one batch's columns with
     * one passed on from another (a key column that an operator's output repeats from its input).
     */
    public void showColumn(int column, RecordBatch source, int sourceColumn) {
        if (!view) {
            throw new IllegalStateException("only a view shows another batch's columns; this batch owns its vectors");
        }
        if (source.schema.column(sourceColumn).type() != schema.column(column).type()) {
            throw new IllegalArgumentException(schema.describe(column) + " cannot show " + source.schema.describe(sourceColumn));
        }
        vectors[column] = source.vectors[sourceColumn];
    }

    /** An empty batch whose vectors have room for {@code capacity} rows (strings: about 16 bytes each). */
    public static RecordBatch allocate(BatchSchema schema, BufferAllocator allocator, int capacity) {
        FieldVector[] vectors = new FieldVector[schema.columnCount()];
        try {
            for (int i = 0; i < vectors.length; i++) {
                vectors[i] = schema.toArrow().getFields().get(i).createVector(allocator);
                allocate(vectors[i], capacity);
            }
        } catch (RuntimeException e) {
            closeAll(vectors);
            throw e;
        }
        return new RecordBatch(schema, vectors, 0);
    }

    /**
     * A batch over existing vectors, which it takes ownership of. The vectors must match the schema's
     * types, in order, and hold at least {@code rowCount} values.
     */
    public static RecordBatch wrap(BatchSchema schema, FieldVector[] vectors, int rowCount) {
        if (vectors.length != schema.columnCount()) {
            throw new IllegalArgumentException("schema " + schema + " has " + schema.columnCount()
                    + " fields but " + vectors.length + " vectors were given");
        }
        for (int i = 0; i < vectors.length; i++) {
            ColumnType actual = ColumnType.fromArrow(vectors[i].getField().getType());
            if (actual != schema.column(i).type()) {
                throw new IllegalArgumentException(schema.describe(i) + " was given a vector of type " + actual);
            }
        }
        RecordBatch batch = new RecordBatch(schema, vectors.clone(), 0);
        batch.setRowCount(rowCount);
        return batch;
    }

    public BatchSchema schema() {
        return schema;
    }

    public int columnCount() {
        return vectors.length;
    }

    /** The number of physical rows, selected or not. */
    public int rowCount() {
        return rowCount;
    }

    /** Sets the number of rows on the batch and on every vector (after writing values directly). */
    public void setRowCount(int rowCount) {
        if (rowCount < 0) {
            throw new IllegalArgumentException("row count must not be negative: " + rowCount);
        }
        for (FieldVector v : vectors) {
            v.setValueCount(rowCount);
        }
        this.rowCount = rowCount;
    }

    /**
     * Makes room for {@code rows} values in every vector, keeping none of the current values: for reusing
     * a batch as the output of a kernel. Does nothing when the vectors are large enough already.
     */
    public void ensureCapacity(int rows) {
        for (FieldVector v : vectors) {
            if (v.getValueCapacity() < rows) {
                v.clear();
                allocate(v, rows);
            }
        }
    }

    /** The selected rows, or {@code null} when every row is selected. */
    public SelectionVector selection() {
        return selection;
    }

    /** Restricts the batch to the rows in {@code selection}; {@code null} selects every row again. */
    public void select(SelectionVector selection) {
        this.selection = selection;
    }

    /** The number of rows a consumer sees: the selection's size, or the row count. */
    public int selectedRowCount() {
        return selection == null ? rowCount : selection.size();
    }

    /** The vector of field {@code index}. */
    public FieldVector vector(int index) {
        return vectors[schema.checkIndex(index)];
    }

    public IntVector int32(int index) {
        return (IntVector) typed(index, ColumnType.INT32);
    }

    public BigIntVector int64(int index) {
        return (BigIntVector) typed(index, ColumnType.INT64);
    }

    public Float8Vector float64(int index) {
        return (Float8Vector) typed(index, ColumnType.FLOAT64);
    }

    public BitVector bool(int index) {
        return (BitVector) typed(index, ColumnType.BOOL);
    }

    public VarCharVector utf8(int index) {
        return (VarCharVector) typed(index, ColumnType.UTF8);
    }

    public TimeStampMilliVector timestampMs(int index) {
        return (TimeStampMilliVector) typed(index, ColumnType.TIMESTAMP_MS);
    }

    public VarBinaryVector binary(int index) {
        return (VarBinaryVector) typed(index, ColumnType.BINARY);
    }

    private FieldVector typed(int index, ColumnType expected) {
        ColumnType actual = schema.column(index).type();
        if (actual != expected) {
            throw new IllegalArgumentException(schema.describe(index) + " is " + actual + ", not " + expected);
        }
        return vectors[index];
    }

    /**
     * The value at physical {@code row} of field {@code column}, boxed: Integer, Long, Double, Boolean,
     * String, Instant for timestamps, or a fresh byte[] for binary; {@code null} for null. For tests, printing and row-level
     * functions, not for kernels.
     */
    public Object value(int row, int column) {
        FieldVector v = vector(column);
        if (row < 0 || row >= rowCount) {
            throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rowCount + ")");
        }
        if (v.isNull(row)) {
            return null;
        }
        switch (schema.column(column).type()) {
            case INT32: return ((IntVector) v).get(row);
            case INT64: return ((BigIntVector) v).get(row);
            case FLOAT64: return ((Float8Vector) v).get(row);
            case BOOL: return ((BitVector) v).get(row) != 0;
            case UTF8: return new String(((VarCharVector) v).get(row), java.nio.charset.StandardCharsets.UTF_8);
            case TIMESTAMP_MS: return Instant.ofEpochMilli(((TimeStampMilliVector) v).get(row));
            case BINARY: return ((VarBinaryVector) v).get(row);
            default: throw new IllegalStateException("unknown type " + schema.column(column).type());
        }
    }

    /** The selected rows as {@code (v0,v1,...)} lines; at most {@code maxRows}. */
    public String format(int maxRows) {
        StringBuilder sb = new StringBuilder();
        int n = Math.min(selectedRowCount(), maxRows);
        for (int i = 0; i < n; i++) {
            int row = selection == null ? i : selection.get(i);
            sb.append('(');
            for (int c = 0; c < vectors.length; c++) {
                if (c > 0) {
                    sb.append(',');
                }
                Values.append(sb, value(row, c));
            }
            sb.append(")\n");
        }
        if (n < selectedRowCount()) {
            sb.append("... ").append(selectedRowCount() - n).append(" more rows\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "RecordBatch" + schema + " rows=" + rowCount
                + (selection == null ? "" : " selected=" + selection.size());
    }

    /** Frees every vector's memory. */
    @Override
    public void close() {
        if (!view) {
            closeAll(vectors);
        }
    }

    private static void allocate(FieldVector v, int capacity) {
        v.setInitialCapacity(Math.max(1, capacity));
        v.allocateNew();
    }

    private static void closeAll(FieldVector[] vectors) {
        for (FieldVector v : vectors) {
            if (v != null) {
                v.close();
            }
        }
    }
}
