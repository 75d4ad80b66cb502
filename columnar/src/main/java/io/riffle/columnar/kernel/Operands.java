package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.ColumnType;
import org.apache.arrow.memory.util.MemoryUtil;

/** Reads row {@code i} of a numeric data buffer as a long or a double, whatever its width. */
final class Operands {
    private Operands() {
    }

    static long readLong(long data, ColumnType type, int i) {
        return type == ColumnType.INT32 ? MemoryUtil.getInt(data + ((long) i << 2)) : MemoryUtil.getLong(data + ((long) i << 3));
    }

    static double readDouble(long data, ColumnType type, int i) {
        switch (type) {
            case FLOAT64: return Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
            case INT32: return MemoryUtil.getInt(data + ((long) i << 2));
            default: return MemoryUtil.getLong(data + ((long) i << 3));
        }
    }
}
