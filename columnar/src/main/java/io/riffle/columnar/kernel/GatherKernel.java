package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;

/**
 * Copies the selected rows of a batch, in selection order, into a dense batch of the same schema. The
 * target is reused: its buffers only grow. Stateless.
 *
 * <pre>{@code
 * CompareKernel.compare(batch, 1, CompareOp.GT, 0L, null, selection);
 * GatherKernel.gather(batch, selection, dense);    // dense has rows 0 .. selection.size() - 1
 * }</pre>
 */
public final class GatherKernel {
    private GatherKernel() {
    }

    /** A new batch, owned by the caller, of the selected rows of {@code source}. */
    public static RecordBatch gather(RecordBatch source, SelectionVector selection, BufferAllocator allocator) {
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
            throw new IllegalArgumentException("cannot gather rows of " + schema + " into a batch of " + target.schema());
        }
        int n = selection.size();
        int[] rows = selection.rows();
        for (int j = 0; j < n; j++) {
            if (rows[j] < 0 || rows[j] >= source.rowCount()) {
                throw new IllegalArgumentException("selection position " + j + " names row " + rows[j]
                        + ", outside the batch's " + source.rowCount() + " rows");
            }
        }
        target.ensureCapacity(n);
        for (int c = 0; c < schema.columnCount(); c++) {
            FieldVector from = source.vector(c);
            FieldVector to = target.vector(c);
            ColumnType type = schema.column(c).type();
            switch (type) {
                case UTF8:
                    copyUtf8(from, (BaseVariableWidthVector) to, rows, n);
                    break;
                case BOOL:
                    copyBits(from.getDataBufferAddress(), to.getDataBufferAddress(), rows, n);
                    break;
                case INT32:
                    copyFixed(from.getDataBufferAddress(), to.getDataBufferAddress(), rows, n, 2);
                    break;
                default:
                    copyFixed(from.getDataBufferAddress(), to.getDataBufferAddress(), rows, n, 3);
                    break;
            }
            if (from.getNullCount() == 0) {
                MemoryUtil.setMemory(to.getValidityBufferAddress(), (n + 7) >>> 3, (byte) 0xFF);
            } else {
                copyBits(from.getValidityBufferAddress(), to.getValidityBufferAddress(), rows, n);
            }
        }
        target.select(null);
        target.setRowCount(n);
    }

    private static void copyFixed(long from, long to, int[] rows, int n, int shift) {
        if (shift == 3) {
            for (int j = 0; j < n; j++) {
                MemoryUtil.putLong(to + ((long) j << 3), MemoryUtil.getLong(from + ((long) rows[j] << 3)));
            }
        } else {
            for (int j = 0; j < n; j++) {
                MemoryUtil.putInt(to + ((long) j << 2), MemoryUtil.getInt(from + ((long) rows[j] << 2)));
            }
        }
    }

    private static void copyBits(long from, long to, int[] rows, int n) {
        for (int j = 0; j < n; j++) {
            int row = rows[j];
            boolean set = ((MemoryUtil.getByte(from + (row >>> 3)) >>> (row & 7)) & 1) != 0;
            Bits.set(to, j, set);
        }
    }

    private static void copyUtf8(FieldVector from, BaseVariableWidthVector to, int[] rows, int n) {
        long offsets = from.getOffsetBufferAddress();
        long total = 0;
        for (int j = 0; j < n; j++) {
            long at = offsets + ((long) rows[j] << 2);
            total += MemoryUtil.getInt(at + 4) - MemoryUtil.getInt(at);
        }
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
        to.setLastSet(n - 1);
    }
}
