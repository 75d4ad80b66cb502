package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.batch.Validity;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;

/**
 * Copies the selected rows of a batch, in selection order, into rows {@code 0 .. selection.size() - 1}
 * of a batch of the same schema, values and nulls alike. The target is reused: its buffers grow only
 * when the rows do not fit. Stateless; allocation-free once the target is large enough.
 *
 * <pre>{@code
 * CompareKernel.compare(batch, 1, CompareOp.GT, 0L, null, selection);
 * GatherKernel.gather(batch, selection, dense);    // dense holds the matching rows, no selection
 * }</pre>
 */
public final class GatherKernel {
    /** The most bytes a utf8 vector can hold: its offsets are 32-bit. */
    private static final long MAX_UTF8_BYTES = Integer.MAX_VALUE;

    private GatherKernel() {
    }

    /** A new batch, owned by the caller, of the selected rows of {@code source}. */
    public static RecordBatch gather(RecordBatch source, SelectionVector selection, BufferAllocator allocator) {
        check(source, selection);
        RecordBatch target = RecordBatch.allocate(source.schema(), allocator, Math.max(1, selection.size()));
        try {
            gather(source, selection, target);
        } catch (RuntimeException e) {
            target.close();
            throw e;
        }
        return target;
    }

    /** Overwrites {@code target} (same schema as {@code source}) with the selected rows of {@code source}. */
    public static void gather(RecordBatch source, SelectionVector selection, RecordBatch target) {
        BatchSchema schema = source.schema();
        if (!schema.equals(target.schema())) {
            throw new IllegalArgumentException("cannot gather rows of " + schema + " into a batch of "
                    + target.schema() + "; the target needs the same fields, types and nullability");
        }
        if (target == source) {
            throw new IllegalArgumentException("cannot gather a batch into itself; pass another target batch");
        }
        check(source, selection);
        int n = selection.size();
        int[] rows = selection.rows();
        target.ensureCapacity(n);
        for (int c = 0; c < schema.columnCount(); c++) {
            copyColumn(source.vector(c), target.vector(c), schema.column(c).type(), rows, n);
        }
        target.setRowCount(n);
        target.select(null);
    }

    /**
     * Overwrites column {@code targetColumn} of {@code target} with the selected rows of column {@code column}
     * of {@code source} (same type), leaving the target's other columns and row count alone: for operators
     * that assemble an output batch column by column.
     */
    public static void gatherColumn(RecordBatch source, int column, SelectionVector selection, RecordBatch target,
                                    int targetColumn) {
        ColumnType type = source.schema().column(column).type();
        ColumnType targetType = target.schema().column(targetColumn).type();
        if (type != targetType) {
            throw new IllegalArgumentException("cannot gather " + source.schema().describe(column) + " into "
                    + target.schema().describe(targetColumn) + "; the types must be equal");
        }
        check(source, selection);
        int n = selection.size();
        FieldVector to = target.vector(targetColumn);
        ensureValueCapacity(to, n);
        copyColumn(source.vector(column), to, type, selection.rows(), n);
        to.setValueCount(n);
    }

    /**
     * Overwrites column {@code targetColumn} of {@code target} with rows {@code rows[0 .. n)} of column
     * {@code column} of {@code source} (same type): {@link #gatherColumn(RecordBatch, int, SelectionVector, RecordBatch,
     * int)} for a large source gathered a batch at a time (a keyed store read by group id), whose nulls the caller
     * tracks. With {@code sourceHasNulls} false the source's validity is not read: finding that out would cost a
     * pass over the whole source per call.
     */
    public static void gatherColumn(RecordBatch source, int column, boolean sourceHasNulls, int[] rows, int n,
                                    RecordBatch target, int targetColumn) {
        ColumnType type = source.schema().column(column).type();
        if (type != target.schema().column(targetColumn).type()) {
            throw new IllegalArgumentException("cannot gather " + source.schema().describe(column) + " into "
                    + target.schema().describe(targetColumn) + "; the types must be equal");
        }
        checkRows(rows, n, source.rowCount());
        FieldVector from = source.vector(column);
        if (type.byteWidth() < 0) {
            checkUtf8Bytes(source.schema(), column, from, rows, n);
        }
        FieldVector to = target.vector(targetColumn);
        ensureValueCapacity(to, n);
        copyColumn(from, sourceHasNulls, to, type, rows, n);
        to.setValueCount(n);
    }

    /**
     * Overwrites column {@code targetColumn} of {@code target} with rows {@code 0 .. rowCount - 1} of column
     * {@code column} of {@code source} (same type): {@link #gatherColumn} for the whole dense batch, one bulk
     * copy per buffer instead of a gather per row.
     */
    public static void copyRows(RecordBatch source, int column, int rowCount, RecordBatch target, int targetColumn) {
        ColumnType type = source.schema().column(column).type();
        if (type != target.schema().column(targetColumn).type()) {
            throw new IllegalArgumentException("cannot copy " + source.schema().describe(column) + " into "
                    + target.schema().describe(targetColumn) + "; the types must be equal");
        }
        if (rowCount < 0 || rowCount > source.rowCount()) {
            throw new IllegalArgumentException("cannot copy " + rowCount + " rows of a batch of " + source.rowCount());
        }
        FieldVector from = source.vector(column);
        FieldVector to = target.vector(targetColumn);
        ensureValueCapacity(to, rowCount);
        int n = rowCount;
        switch (type) {
            case UTF8, BINARY -> {
                long offsets = from.getOffsetBufferAddress();
                int first = MemoryUtil.getInt(offsets);
                int bytes = MemoryUtil.getInt(offsets + ((long) n << 2)) - first;
                BaseVariableWidthVector utf8 = (BaseVariableWidthVector) to;
                if (utf8.getDataBuffer().capacity() < bytes) {
                    utf8.reallocDataBuffer(bytes);
                }
                MemoryUtil.copyMemory(from.getDataBufferAddress() + first, utf8.getDataBufferAddress(), bytes);
                long toOffsets = utf8.getOffsetBufferAddress();
                for (int r = 0; r <= n; r++) {
                    MemoryUtil.putInt(toOffsets + ((long) r << 2), MemoryUtil.getInt(offsets + ((long) r << 2)) - first);
                }
                utf8.setLastSet(n - 1);
            }
            case BOOL -> MemoryUtil.copyMemory(from.getDataBufferAddress(), to.getDataBufferAddress(), (n + 7) >>> 3);
            default -> MemoryUtil.copyMemory(from.getDataBufferAddress(), to.getDataBufferAddress(),
                    (long) n * type.byteWidth());
        }
        MemoryUtil.copyMemory(from.getValidityBufferAddress(), to.getValidityBufferAddress(), (n + 7) >>> 3);
        to.setValueCount(n);
    }

    /** Reallocates {@code to} empty when it cannot hold {@code rows} values; it is overwritten next anyway. */
    private static void ensureValueCapacity(FieldVector to, int rows) {
        if (to.getValueCapacity() < rows) {
            to.clear();
            to.setInitialCapacity(rows);
            to.allocateNew();
        }
    }

    private static void copyColumn(FieldVector from, FieldVector to, ColumnType type, int[] rows, int n) {
        copyColumn(from, Validity.hasNulls(from), to, type, rows, n);
    }

    private static void copyColumn(FieldVector from, boolean fromHasNulls, FieldVector to, ColumnType type, int[] rows,
                                   int n) {
        switch (type) {
            case UTF8:
            case BINARY:
                copyUtf8(from, (BaseVariableWidthVector) to, rows, n);
                break;
            case BOOL:
                copyBits(from.getDataBufferAddress(), to.getDataBufferAddress(), rows, n);
                break;
            case INT32:
                copyInts(from.getDataBufferAddress(), to.getDataBufferAddress(), rows, n);
                break;
            default:
                copyLongs(from.getDataBufferAddress(), to.getDataBufferAddress(), rows, n);
                break;
        }
        if (!fromHasNulls) {
            MemoryUtil.setMemory(to.getValidityBufferAddress(), (n + 7) >>> 3, (byte) 0xFF);
        } else {
            copyBits(from.getValidityBufferAddress(), to.getValidityBufferAddress(), rows, n);
        }
    }

    /** Everything that can be wrong, checked before the target is touched. */
    private static void check(RecordBatch source, SelectionVector selection) {
        int n = selection.size();
        int[] rows = selection.rows();
        checkRows(rows, n, source.rowCount());
        BatchSchema schema = source.schema();
        for (int c = 0; c < schema.columnCount(); c++) {
            if (schema.column(c).type().byteWidth() < 0) {
                checkUtf8Bytes(schema, c, source.vector(c), rows, n);
            }
        }
    }

    private static void checkRows(int[] rows, int n, int rowCount) {
        // Branch-free: a row outside [0, rowCount) makes row or (rowCount - 1 - row) negative.
        int outside = 0;
        for (int j = 0; j < n; j++) {
            outside |= rows[j] | (rowCount - 1 - rows[j]);
        }
        if (outside < 0) {
            for (int j = 0; j < n; j++) {
                if (rows[j] < 0 || rows[j] >= rowCount) {
                    throw new IllegalArgumentException("selection position " + j + " names row " + rows[j]
                            + ", outside the batch's " + rowCount + " rows");
                }
            }
        }
    }

    private static void checkUtf8Bytes(BatchSchema schema, int column, FieldVector vector, int[] rows, int n) {
        long bytes = utf8Bytes(vector.getOffsetBufferAddress(), rows, n);
        if (bytes > MAX_UTF8_BYTES) {
            throw new IllegalArgumentException(schema.describe(column) + ": the " + n + " selected values hold "
                    + bytes + " bytes, more than a " + schema.column(column).type() + " vector can (" + MAX_UTF8_BYTES
                    + "); gather fewer rows at a time");
        }
    }

    private static long utf8Bytes(long offsets, int[] rows, int n) {
        long total = 0;
        for (int j = 0; j < n; j++) {
            long at = offsets + ((long) rows[j] << 2);
            total += MemoryUtil.getInt(at + 4) - MemoryUtil.getInt(at);
        }
        return total;
    }

    private static void copyInts(long from, long to, int[] rows, int n) {
        for (int j = 0; j < n; j++) {
            MemoryUtil.putInt(to + ((long) j << 2), MemoryUtil.getInt(from + ((long) rows[j] << 2)));
        }
    }

    private static void copyLongs(long from, long to, int[] rows, int n) {
        for (int j = 0; j < n; j++) {
            MemoryUtil.putLong(to + ((long) j << 3), MemoryUtil.getLong(from + ((long) rows[j] << 3)));
        }
    }

    /** Gathers bits (bool values or validity), writing each target byte once rather than bit by bit. */
    private static void copyBits(long from, long to, int[] rows, int n) {
        int acc = 0;
        for (int j = 0; j < n; j++) {
            int row = rows[j];
            acc |= ((MemoryUtil.getByte(from + (row >>> 3)) >>> (row & 7)) & 1) << (j & 7);
            if ((j & 7) == 7) {
                MemoryUtil.putByte(to + (j >>> 3), (byte) acc);
                acc = 0;
            }
        }
        if ((n & 7) != 0) {
            MemoryUtil.putByte(to + (n >>> 3), (byte) acc);
        }
    }

    private static void copyUtf8(FieldVector from, BaseVariableWidthVector to, int[] rows, int n) {
        long offsets = from.getOffsetBufferAddress();
        long total = utf8Bytes(offsets, rows, n);
        if (to.getDataBuffer().capacity() < total) {
            to.reallocDataBuffer(total);
        }
        long data = from.getDataBufferAddress();
        long toOffsets = to.getOffsetBufferAddress();
        long toData = to.getDataBufferAddress();
        int end = 0;
        MemoryUtil.putInt(toOffsets, 0);
        for (int j = 0; j < n; j++) {
            long at = offsets + ((long) rows[j] << 2);
            int start = MemoryUtil.getInt(at);
            int length = MemoryUtil.getInt(at + 4) - start;
            MemoryUtil.copyMemory(data + start, toData + end, length);
            end += length;
            MemoryUtil.putInt(toOffsets + ((long) (j + 1) << 2), end);
        }
        // The offsets are complete: without this, setValueCount would treat rows as unset and rewrite them.
        to.setLastSet(n - 1);
    }
}
