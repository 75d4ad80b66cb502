package io.riffle.columnar.batch;

import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Validity bits read a word at a time straight from memory. Arrow's own
 * {@code getNullCount()} counts every bit through bounds-checked buffer reads on each call; the kernels
 * only ask whether a batch has any null, once per batch and column, and that question stops at the first
 * word with a zero bit.
 */
public final class Validity {
    private Validity() {
    }

    /** Whether any of the vector's {@code getValueCount()} rows is null. */
    public static boolean hasNulls(FieldVector vector) {
        int rows = vector.getValueCount();
        if (rows == 0) {
            return false;
        }
        long bits = vector.getValidityBufferAddress();
        int words = rows >>> 6;
        for (int w = 0; w < words; w++) {
            if (MemoryUtil.getLong(bits + ((long) w << 3)) != -1L) {
                return true;
            }
        }
        int rest = rows & 63;
        long tail = bits + ((long) words << 3);
        for (int b = 0; rest > 0; b++, rest -= 8) {
            int mask = rest >= 8 ? 0xFF : (1 << rest) - 1;
            if ((MemoryUtil.getByte(tail + b) & mask) != mask) {
                return true;
            }
        }
        return false;
    }
}
