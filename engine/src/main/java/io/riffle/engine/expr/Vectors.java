package io.riffle.engine.expr;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.batch.Validity;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;

/**
 * Whole-column writes the kernels do not offer: copying a column, filling one with a constant, and
 * writing a predicate's outcome as a bool column. Each overwrites rows {@code 0 .. n - 1} of a reused
 * vector, values and validity, and sets its value count; buffers grow only when the rows do not fit.
 */
final class Vectors {
    /** The most bytes a utf8 vector can hold: its offsets are 32-bit. */
    private static final long MAX_UTF8_BYTES = Integer.MAX_VALUE;

    private Vectors() {
    }

    /** Copies the first {@code n} values of {@code from} into {@code to}, both of {@code type}. */
    static void copy(FieldVector from, FieldVector to, ColumnType type, int n) {
        if (n == 0) {
            to.setValueCount(0);
            return;
        }
        ensureCapacity(to, n);
        if (type.byteWidth() < 0) {
            BaseVariableWidthVector target = (BaseVariableWidthVector) to;
            long offsets = from.getOffsetBufferAddress();
            int end = MemoryUtil.getInt(offsets + ((long) n << 2));
            if (target.getDataBuffer().capacity() < end) {
                target.reallocDataBuffer(end);
            }
            MemoryUtil.copyMemory(offsets, target.getOffsetBufferAddress(), ((long) n + 1) << 2);
            MemoryUtil.copyMemory(from.getDataBufferAddress(), target.getDataBufferAddress(), end);
            // The offsets are complete: without this, setValueCount would treat the rows as unset.
            target.setLastSet(n - 1);
        } else {
            int width = type.byteWidth();
            long bytes = width == 0 ? (n + 7) >>> 3 : (long) n * width;
            MemoryUtil.copyMemory(from.getDataBufferAddress(), to.getDataBufferAddress(), bytes);
        }
        if (!Validity.hasNulls(from)) {
            setAll(to.getValidityBufferAddress(), n);
        } else {
            MemoryUtil.copyMemory(from.getValidityBufferAddress(), to.getValidityBufferAddress(), (n + 7) >>> 3);
        }
        to.setValueCount(n);
    }

    /** Sets {@code n} 8-byte values (int64, or float64 as its bits) to {@code bits}, none null. */
    static void fill(FieldVector to, long bits, int n) {
        ensureCapacity(to, n);
        long data = to.getDataBufferAddress();
        for (int i = 0; i < n; i++) {
            MemoryUtil.putLong(data + ((long) i << 3), bits);
        }
        setAll(to.getValidityBufferAddress(), n);
        to.setValueCount(n);
    }

    /** Sets {@code n} utf8 values to the string whose UTF-8 bytes are {@code utf8}, none null. */
    static void fill(FieldVector to, byte[] utf8, int n) {
        long total = (long) n * utf8.length;
        if (total > MAX_UTF8_BYTES) {
            throw new IllegalArgumentException("a utf8 literal of " + utf8.length + " bytes repeated on " + n
                    + " rows needs " + total + " bytes, more than a utf8 vector can hold (" + MAX_UTF8_BYTES + ")");
        }
        ensureCapacity(to, n);
        BaseVariableWidthVector target = (BaseVariableWidthVector) to;
        if (target.getDataBuffer().capacity() < total) {
            target.reallocDataBuffer(total);
        }
        long offsets = target.getOffsetBufferAddress();
        long data = target.getDataBufferAddress();
        int end = 0;
        MemoryUtil.putInt(offsets, 0);
        for (int i = 0; i < n; i++) {
            MemoryUtil.copyToMemory(utf8, 0, data + end, utf8.length);
            end += utf8.length;
            MemoryUtil.putInt(offsets + ((long) (i + 1) << 2), end);
        }
        target.setLastSet(n - 1);
        setAll(to.getValidityBufferAddress(), n);
        to.setValueCount(n);
    }

    /** Writes a bool column of {@code n} rows: true on {@code trueRows}, false on {@code falseRows}, else null. */
    static void writeBools(FieldVector to, SelectionVector trueRows, SelectionVector falseRows, int n) {
        ensureCapacity(to, n);
        long data = to.getDataBufferAddress();
        long validity = to.getValidityBufferAddress();
        int bytes = (n + 7) >>> 3;
        MemoryUtil.setMemory(data, bytes, (byte) 0);
        MemoryUtil.setMemory(validity, bytes, (byte) 0);
        int[] rows = trueRows.rows();
        for (int j = 0, k = trueRows.size(); j < k; j++) {
            setBit(data, rows[j]);
            setBit(validity, rows[j]);
        }
        rows = falseRows.rows();
        for (int j = 0, k = falseRows.size(); j < k; j++) {
            setBit(validity, rows[j]);
        }
        to.setValueCount(n);
    }

    private static void setBit(long address, int row) {
        long at = address + (row >>> 3);
        MemoryUtil.putByte(at, (byte) (MemoryUtil.getByte(at) | (1 << (row & 7))));
    }

    private static void setAll(long validity, int n) {
        MemoryUtil.setMemory(validity, (n + 7) >>> 3, (byte) 0xFF);
    }

    private static void ensureCapacity(FieldVector v, int n) {
        if (v.getValueCapacity() < n) {
            v.clear();
            v.setInitialCapacity(n);
            v.allocateNew();
        }
    }
}
