package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.Validity;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/** Validity-bit helpers shared by the kernels; a validity address of 0 means "no nulls". */
final class Bits {
    private Bits() {
    }

    /** The vector's validity buffer address when it has nulls, else 0 so that callers skip the test. */
    static long nullsAddress(FieldVector vector) {
        return Validity.hasNulls(vector) ? vector.getValidityBufferAddress() : 0L;
    }

    /** Whether {@code row} holds a value; true for every row when {@code validity} is 0. */
    static boolean isValid(long validity, int row) {
        return validity == 0L || ((MemoryUtil.getByte(validity + (row >>> 3)) >>> (row & 7)) & 1) != 0;
    }
}
