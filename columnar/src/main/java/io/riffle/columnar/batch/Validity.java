package io.riffle.columnar.batch;

import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Validity bits read and written a word at a time straight from memory. Arrow's own
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

    /**
     * Marks rows {@code 0 .. rows - 1} of the validity bits at {@code address} valid (the bits of the last
     * byte past them too, as a byte-wise fill would). Word stores: for the few hundred bytes of a batch
     * this beats {@code Unsafe.setMemory}, a call into the VM each time.
     */
    public static void setAllValid(long address, int rows) {
        int bytes = (rows + 7) >>> 3;
        int words = bytes >>> 3;
        for (int w = 0; w < words; w++) {
            MemoryUtil.putLong(address + ((long) w << 3), -1L);
        }
        for (int b = words << 3; b < bytes; b++) {
            MemoryUtil.putByte(address + b, (byte) -1);
        }
    }
}
