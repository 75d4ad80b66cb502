package io.riffle.columnar.hash;

import io.riffle.columnar.batch.ColumnType;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The accumulator update loops: one loop per aggregate and input type, each over a whole batch, addressed
 * two ways. {@link OffHeapHashTable}'s loops take accumulator columns: {@code column} and {@code countColumn}
 * are column addresses (a group's slot is {@code column + 8 * groupId}); {@code countColumn} is 0 when the
 * aggregate keeps no count. An {@link Accumulator}'s loops (names ending in {@code At}) take records: row
 * {@code i}'s value word is at {@code records[i] + offset} and its count word 8 bytes after it, and a row whose
 * record is {@link Accumulator#NO_RECORD} goes into none. {@code validity} is the input's validity buffer, or 0
 * when the batch has no nulls in that column. Both keep the same rules: a min or max never chooses NaN.
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

    /** The value an aggregate's accumulator starts from: the identity of its update (0, +inf, Long.MAX ...). */
    static long identity(AggregateKind kind, ColumnType input) {
        boolean dbl = input == ColumnType.FLOAT64;
        switch (kind) {
            case MIN:
                return dbl ? Double.doubleToRawLongBits(Double.POSITIVE_INFINITY) : Long.MAX_VALUE;
            case MAX:
                return dbl ? Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY) : Long.MIN_VALUE;
            default:
                return 0L;
        }
    }

    static void countRowsAt(long[] records, int offset, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (record != Accumulator.NO_RECORD) {
                long count = record + offset + 8;
                MemoryUtil.putLong(count, MemoryUtil.getLong(count) + 1);
            }
        }
    }

    static void countValuesAt(long[] records, int offset, long validity, int n) {
        if (validity == 0L) {
            countRowsAt(records, offset, n);
            return;
        }
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (record != Accumulator.NO_RECORD) {
                long count = record + offset + 8;
                MemoryUtil.putLong(count, MemoryUtil.getLong(count) + bit(validity, i));
            }
        }
    }

    static void sumLongAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            MemoryUtil.putLong(value, MemoryUtil.getLong(value) + MemoryUtil.getLong(data + ((long) i << 3)));
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void sumIntAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            MemoryUtil.putLong(value, MemoryUtil.getLong(value) + MemoryUtil.getInt(data + ((long) i << 2)));
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void sumDoubleAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            double sum = Double.longBitsToDouble(MemoryUtil.getLong(value))
                    + Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
            MemoryUtil.putLong(value, Double.doubleToRawLongBits(sum));
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void minLongAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            long v = MemoryUtil.getLong(data + ((long) i << 3));
            if (v < MemoryUtil.getLong(value)) {
                MemoryUtil.putLong(value, v);
            }
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void maxLongAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            long v = MemoryUtil.getLong(data + ((long) i << 3));
            if (v > MemoryUtil.getLong(value)) {
                MemoryUtil.putLong(value, v);
            }
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void minIntAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            long v = MemoryUtil.getInt(data + ((long) i << 2));
            if (v < MemoryUtil.getLong(value)) {
                MemoryUtil.putLong(value, v);
            }
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void maxIntAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            long v = MemoryUtil.getInt(data + ((long) i << 2));
            if (v > MemoryUtil.getLong(value)) {
                MemoryUtil.putLong(value, v);
            }
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void minDoubleAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            double v = Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
            if (v < Double.longBitsToDouble(MemoryUtil.getLong(value))) {
                MemoryUtil.putLong(value, Double.doubleToRawLongBits(v));
            }
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    static void maxDoubleAt(long[] records, int offset, long data, long validity, int n) {
        for (int i = 0; i < n; i++) {
            long record = records[i];
            if (skips(record, validity, i)) {
                continue;
            }
            long value = record + offset;
            double v = Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
            if (v > Double.longBitsToDouble(MemoryUtil.getLong(value))) {
                MemoryUtil.putLong(value, Double.doubleToRawLongBits(v));
            }
            MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + 1);
        }
    }

    /** Row {@code i} goes into no record, or its input is null. */
    private static boolean skips(long record, long validity, int i) {
        return record == Accumulator.NO_RECORD || (validity != 0L && bit(validity, i) == 0);
    }

    private static long bit(long validity, int row) {
        return (MemoryUtil.getByte(validity + (row >>> 3)) >>> (row & 7)) & 1;
    }
}
