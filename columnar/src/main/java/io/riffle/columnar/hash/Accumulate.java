package io.riffle.columnar.hash;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The accumulator update loops of {@link OffHeapHashTable}: one loop per aggregate and input type, each
 * over a whole batch. {@code column} and {@code countColumn} are accumulator column addresses (a group's
 * slot is {@code column + 8 * groupId}); {@code countColumn} is 0 when the aggregate keeps no count.
 * {@code validity} is the input's validity buffer, or 0 when the batch has no nulls in that column.
 */
final class Accumulate {
    private Accumulate() {
    }

    static void countRows(long column, int[] groups, int n) {
        for (int i = 0; i < n; i++) {
            long slot = column + ((long) groups[i] << 3);
            MemoryUtil.putLong(slot, MemoryUtil.getLong(slot) + 1);
        }
    }

    static void countValues(long column, long validity, int[] groups, int n) {
        if (validity == 0L) {
            countRows(column, groups, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            long slot = column + ((long) groups[i] << 3);
            MemoryUtil.putLong(slot, MemoryUtil.getLong(slot) + bit(validity, i));
        }
    }

    static void sumLong(long column, long countColumn, long data, long validity, int[] groups, int n) {
        if (validity == 0L) {
            for (int i = 0; i < n; i++) {
                long slot = column + ((long) groups[i] << 3);
                MemoryUtil.putLong(slot, MemoryUtil.getLong(slot) + MemoryUtil.getLong(data + ((long) i << 3)));
            }
            if (countColumn != 0L) {
                countRows(countColumn, groups, n);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            long valid = bit(validity, i);
            long slot = column + ((long) groups[i] << 3);
            MemoryUtil.putLong(slot, MemoryUtil.getLong(slot) + (MemoryUtil.getLong(data + ((long) i << 3)) & -valid));
            if (countColumn != 0L) {
                long count = countColumn + ((long) groups[i] << 3);
                MemoryUtil.putLong(count, MemoryUtil.getLong(count) + valid);
            }
        }
    }

    static void sumInt(long column, long countColumn, long data, long validity, int[] groups, int n) {
        if (validity == 0L) {
            for (int i = 0; i < n; i++) {
                long slot = column + ((long) groups[i] << 3);
                MemoryUtil.putLong(slot, MemoryUtil.getLong(slot) + MemoryUtil.getInt(data + ((long) i << 2)));
            }
            if (countColumn != 0L) {
                countRows(countColumn, groups, n);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            long valid = bit(validity, i);
            long slot = column + ((long) groups[i] << 3);
            MemoryUtil.putLong(slot, MemoryUtil.getLong(slot) + (MemoryUtil.getInt(data + ((long) i << 2)) & -valid));
            if (countColumn != 0L) {
                long count = countColumn + ((long) groups[i] << 3);
                MemoryUtil.putLong(count, MemoryUtil.getLong(count) + valid);
            }
        }
    }

    static void sumDouble(long column, long countColumn, long data, long validity, int[] groups, int n) {
        for (int i = 0; i < n; i++) {
            if (validity != 0L && bit(validity, i) == 0) {
                continue;
            }
            long slot = column + ((long) groups[i] << 3);
            double sum = Double.longBitsToDouble(MemoryUtil.getLong(slot))
                    + Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
            MemoryUtil.putLong(slot, Double.doubleToRawLongBits(sum));
            if (countColumn != 0L) {
                long count = countColumn + ((long) groups[i] << 3);
                MemoryUtil.putLong(count, MemoryUtil.getLong(count) + 1);
            }
        }
    }

    /** Min ({@code min}) or max of int32 ({@code width} 4), int64 or timestamp ({@code width} 8) input. */
    static void extremeLong(boolean min, long column, long countColumn, long data, int width, long validity,
                            int[] groups, int n) {
        for (int i = 0; i < n; i++) {
            if (validity != 0L && bit(validity, i) == 0) {
                continue;
            }
            long v = width == 8 ? MemoryUtil.getLong(data + ((long) i << 3)) : MemoryUtil.getInt(data + ((long) i << 2));
            long slot = column + ((long) groups[i] << 3);
            long current = MemoryUtil.getLong(slot);
            if (min ? v < current : v > current) {
                MemoryUtil.putLong(slot, v);
            }
            if (countColumn != 0L) {
                long count = countColumn + ((long) groups[i] << 3);
                MemoryUtil.putLong(count, MemoryUtil.getLong(count) + 1);
            }
        }
    }

    /** Min or max of float64 input; NaN values are never chosen, as with {@code <} and {@code >}. */
    static void extremeDouble(boolean min, long column, long countColumn, long data, long validity, int[] groups,
                              int n) {
        for (int i = 0; i < n; i++) {
            if (validity != 0L && bit(validity, i) == 0) {
                continue;
            }
            double v = Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
            long slot = column + ((long) groups[i] << 3);
            double current = Double.longBitsToDouble(MemoryUtil.getLong(slot));
            if (min ? v < current : v > current) {
                MemoryUtil.putLong(slot, Double.doubleToRawLongBits(v));
            }
            if (countColumn != 0L) {
                long count = countColumn + ((long) groups[i] << 3);
                MemoryUtil.putLong(count, MemoryUtil.getLong(count) + 1);
            }
        }
    }

    private static long bit(long validity, int row) {
        return (MemoryUtil.getByte(validity + (row >>> 3)) >>> (row & 7)) & 1;
    }
}
