package io.riffle.columnar.hash;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.Validity;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * Row-by-row accumulation that also writes each row's result right after its own update: the running
 * value a streaming keyed aggregation emits per record, correct when a key repeats within a batch (a
 * whole-batch {@link Accumulate} followed by a read would give every row the batch's final value).
 */
final class Running {
    private Running() {
    }

    /**
     * Updates aggregate {@code a} (value column {@code column}, count column {@code countColumn} or 0) for
     * rows {@code 0 .. n - 1} and writes each row's new result into {@code out}; with {@code byGroup} not 0,
     * also writes each row's group's 8-byte value of the column at {@code byGroup} (group g's at
     * {@code byGroup + 8 g}) into the column at {@code beside}, in the same pass over the group ids.
     */
    static void accumulate(GroupBySpec spec, int a, long column, long countColumn, FieldVector in, int[] groups,
                           int n, FieldVector out, long byGroup, long beside) {
        AggregateKind kind = spec.kinds[a];
        ColumnType type = spec.inputTypes[a];
        long data = in == null ? 0L : in.getDataBufferAddress();
        long validity = in == null || !Validity.hasNulls(in) ? 0L : in.getValidityBufferAddress();
        long target = out.getDataBufferAddress();
        if (kind == AggregateKind.SUM && type == ColumnType.INT64 && validity == 0L && countColumn == 0L) {
            // The streaming keyed sum of the benchmarks: one load, add and two stores per row...
            if (byGroup == 0L) {
                for (int i = 0; i < n; i++) {
                    long slot = column + ((long) groups[i] << 3);
                    long sum = MemoryUtil.getLong(slot) + MemoryUtil.getLong(data + ((long) i << 3));
                    MemoryUtil.putLong(slot, sum);
                    MemoryUtil.putLong(target + ((long) i << 3), sum);
                }
            } else {
                // ...and a load and a store more for the group's value beside it.
                for (int i = 0; i < n; i++) {
                    long group = groups[i];
                    long slot = column + (group << 3);
                    long sum = MemoryUtil.getLong(slot) + MemoryUtil.getLong(data + ((long) i << 3));
                    MemoryUtil.putLong(slot, sum);
                    MemoryUtil.putLong(target + ((long) i << 3), sum);
                    MemoryUtil.putLong(beside + ((long) i << 3), MemoryUtil.getLong(byGroup + (group << 3)));
                }
            }
            MemoryUtil.setMemory(out.getValidityBufferAddress(), (n + 7) >>> 3, (byte) 0xFF);
            return;
        }
        boolean dbl = type == ColumnType.FLOAT64;
        int width = type == ColumnType.INT32 ? 4 : 8;
        boolean narrowOut = kind != AggregateKind.COUNT && kind != AggregateKind.AVG && kind != AggregateKind.SUM
                && type == ColumnType.INT32;
        MemoryUtil.setMemory(out.getValidityBufferAddress(), (n + 7) >>> 3, (byte) 0xFF);
        for (int i = 0; i < n; i++) {
            long slot = column + ((long) groups[i] << 3);
            long countSlot = countColumn == 0L ? 0L : countColumn + ((long) groups[i] << 3);
            boolean valid = validity == 0L || ((MemoryUtil.getByte(validity + (i >>> 3)) >>> (i & 7)) & 1) != 0;
            if (in == null || valid) {
                long raw = in == null ? 0L
                        : width == 8 ? MemoryUtil.getLong(data + ((long) i << 3)) : MemoryUtil.getInt(data + ((long) i << 2));
                long current = MemoryUtil.getLong(slot);
                long next;
                switch (kind) {
                    case COUNT:
                        next = current + 1;
                        break;
                    case SUM:
                    case AVG:
                        next = dbl ? Double.doubleToRawLongBits(Double.longBitsToDouble(current)
                                + Double.longBitsToDouble(raw)) : current + raw;
                        break;
                    case MIN:
                        next = dbl ? (Double.longBitsToDouble(raw) < Double.longBitsToDouble(current) ? raw : current)
                                : Math.min(raw, current);
                        break;
                    default:
                        next = dbl ? (Double.longBitsToDouble(raw) > Double.longBitsToDouble(current) ? raw : current)
                                : Math.max(raw, current);
                        break;
                }
                MemoryUtil.putLong(slot, next);
                if (countSlot != 0L) {
                    MemoryUtil.putLong(countSlot, MemoryUtil.getLong(countSlot) + 1);
                }
            }
            long result = MemoryUtil.getLong(slot);
            if (kind == AggregateKind.AVG) {
                long count = MemoryUtil.getLong(countSlot);
                result = Double.doubleToRawLongBits((dbl ? Double.longBitsToDouble(result) : (double) result) / count);
            }
            if (narrowOut) {
                MemoryUtil.putInt(target + ((long) i << 2), (int) result);
            } else {
                MemoryUtil.putLong(target + ((long) i << 3), result);
            }
            if (countSlot != 0L && MemoryUtil.getLong(countSlot) == 0L) {
                BitVectorHelper.unsetBit(out.getValidityBuffer(), i);
            }
            if (byGroup != 0L) {
                MemoryUtil.putLong(beside + ((long) i << 3), MemoryUtil.getLong(byGroup + ((long) groups[i] << 3)));
            }
        }
    }
}
