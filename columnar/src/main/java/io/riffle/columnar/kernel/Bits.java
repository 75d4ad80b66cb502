package io.riffle.columnar.kernel;

import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/** Validity-bit helpers shared by the kernels; a validity address of 0 means "no nulls". */
final class Bits {
    private Bits() {
    }

    /** The vector's validity buffer address when it has nulls, else 0 so that callers skip the test. */
    static long nullsAddress(FieldVector vector) {
        return vector.getNullCount() == 0 ? 0L : vector.getValidityBufferAddress();
    }

    static boolean isValid(long validity, int row) {
        return validity == 0L || ((MemoryUtil.getByte(validity + (row >>> 3)) >>> (row & 7)) & 1) != 0;
    }

    static void set(long validity, int row, boolean valid) {
        long at = validity + (row >>> 3);
        int bit = 1 << (row & 7);
        byte b = MemoryUtil.getByte(at);
        MemoryUtil.putByte(at, (byte) (valid ? b | bit : b & ~bit));
    }
}
