package io.riffle.columnar.hash;

import io.riffle.columnar.batch.ColumnType;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * Writes groups' keys and aggregate results into Arrow vectors that already have room for {@code n} values.
 * The groups written are {@code groups[0 .. n)}, or {@code from .. from + n - 1} when {@code groups} is null;
 * an {@link Accumulator}'s results ({@link #writeAt}) are those of the records at {@code records[0 .. n)}.
 */
final class Results {
    private Results() {
    }

    static void writeLongKeys(long keys, ColumnType keyType, int from, int n, FieldVector out) {
        long data = out.getDataBufferAddress();
        if (keyType == ColumnType.INT32) {
            for (int i = 0; i < n; i++) {
                MemoryUtil.putInt(data + ((long) i << 2), (int) MemoryUtil.getLong(keys + ((long) (from + i) << 3)));
            }
        } else {
            MemoryUtil.copyMemory(keys + ((long) from << 3), data, (long) n << 3);
        }
        setAllValid(out, n);
    }

    static void writeLongKeys(long keys, ColumnType keyType, int[] groups, int n, FieldVector out) {
        long data = out.getDataBufferAddress();
        if (keyType == ColumnType.INT32) {
            for (int i = 0; i < n; i++) {
                MemoryUtil.putInt(data + ((long) i << 2), (int) MemoryUtil.getLong(keys + ((long) groups[i] << 3)));
            }
        } else {
            for (int i = 0; i < n; i++) {
                MemoryUtil.putLong(data + ((long) i << 3), MemoryUtil.getLong(keys + ((long) groups[i] << 3)));
            }
        }
        setAllValid(out, n);
    }

    static void writeUtf8Keys(long keys, long arena, int from, int n, BaseVariableWidthVector out) {
        writeUtf8Keys(keys, arena, null, from, n, out);
    }

    static void writeUtf8Keys(long keys, long arena, int[] groups, int n, BaseVariableWidthVector out) {
        writeUtf8Keys(keys, arena, groups, 0, n, out);
    }

    private static void writeUtf8Keys(long keys, long arena, int[] groups, int from, int n, BaseVariableWidthVector out) {
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += MemoryUtil.getLong(keys + (long) (groups == null ? from + i : groups[i]) * 16 + 8);
        }
        out.clear();
        out.allocateNew(Math.max(total, 1), n);
        long offsets = out.getOffsetBufferAddress();
        long data = out.getDataBufferAddress();
        int end = 0;
        MemoryUtil.putInt(offsets, 0);
        for (int i = 0; i < n; i++) {
            long entry = keys + (long) (groups == null ? from + i : groups[i]) * 16;
            int length = (int) MemoryUtil.getLong(entry + 8);
            MemoryUtil.copyMemory(arena + MemoryUtil.getLong(entry), data + end, length);
            end += length;
            MemoryUtil.putInt(offsets + ((long) (i + 1) << 2), end);
        }
        setAllValid(out, n);
        out.setLastSet(n - 1);
    }

    /** Aggregate {@code a}'s result per group; null where the group saw no non-null input. */
    static void write(GroupBySpec spec, int a, long column, long countColumn, int[] groups, int from, int n,
                      FieldVector out) {
        long data = out.getDataBufferAddress();
        ColumnType input = spec.inputTypes[a];
        switch (spec.kinds[a]) {
            case COUNT:
            case SUM:
                for (int i = 0; i < n; i++) {
                    MemoryUtil.putLong(data + ((long) i << 3), MemoryUtil.getLong(slot(column, groups, from, i)));
                }
                break;
            case MIN:
            case MAX:
                if (input == ColumnType.INT32) {
                    for (int i = 0; i < n; i++) {
                        MemoryUtil.putInt(data + ((long) i << 2), (int) MemoryUtil.getLong(slot(column, groups, from, i)));
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        MemoryUtil.putLong(data + ((long) i << 3), MemoryUtil.getLong(slot(column, groups, from, i)));
                    }
                }
                break;
            case AVG:
                boolean dbl = input == ColumnType.FLOAT64;
                for (int i = 0; i < n; i++) {
                    long sum = MemoryUtil.getLong(slot(column, groups, from, i));
                    long count = MemoryUtil.getLong(slot(countColumn, groups, from, i));
                    double mean = (dbl ? Double.longBitsToDouble(sum) : (double) sum) / count;
                    MemoryUtil.putLong(data + ((long) i << 3), Double.doubleToRawLongBits(mean));
                }
                break;
            default:
                throw new IllegalStateException("unknown aggregate " + spec.kinds[a]);
        }
        setAllValid(out, n);
        if (countColumn != 0L) {
            for (int i = 0; i < n; i++) {
                if (MemoryUtil.getLong(slot(countColumn, groups, from, i)) == 0L) {
                    BitVectorHelper.unsetBit(out.getValidityBuffer(), i);
                }
            }
        }
    }

    /**
     * The results of the accumulators at {@code records[0 .. n)} (value word at {@code + offset}, count word after
     * it), as {@link #write} gives a group's: null where no non-null input came, except for a count.
     */
    static void writeAt(AggregateKind kind, ColumnType input, long[] records, int offset, int n, FieldVector out) {
        long data = out.getDataBufferAddress();
        setAllValid(out, n);
        switch (kind) {
            case COUNT:
                for (int i = 0; i < n; i++) {
                    MemoryUtil.putLong(data + ((long) i << 3), MemoryUtil.getLong(records[i] + offset + 8));
                }
                return;
            case SUM:
            case MIN:
            case MAX:
                if (input == ColumnType.INT32 && kind != AggregateKind.SUM) {
                    for (int i = 0; i < n; i++) {
                        MemoryUtil.putInt(data + ((long) i << 2), (int) MemoryUtil.getLong(records[i] + offset));
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        MemoryUtil.putLong(data + ((long) i << 3), MemoryUtil.getLong(records[i] + offset));
                    }
                }
                break;
            case AVG:
                boolean dbl = input == ColumnType.FLOAT64;
                for (int i = 0; i < n; i++) {
                    long sum = MemoryUtil.getLong(records[i] + offset);
                    long count = MemoryUtil.getLong(records[i] + offset + 8);
                    double mean = (dbl ? Double.longBitsToDouble(sum) : (double) sum) / count;
                    MemoryUtil.putLong(data + ((long) i << 3), Double.doubleToRawLongBits(mean));
                }
                break;
            default:
                throw new IllegalStateException("unknown aggregate " + kind);
        }
        for (int i = 0; i < n; i++) {
            if (MemoryUtil.getLong(records[i] + offset + 8) == 0L) {
                BitVectorHelper.unsetBit(out.getValidityBuffer(), i);
            }
        }
    }

    private static long slot(long column, int[] groups, int from, int i) {
        return column + ((long) (groups == null ? from + i : groups[i]) << 3);
    }

    private static void setAllValid(FieldVector out, int n) {
        MemoryUtil.setMemory(out.getValidityBufferAddress(), (n + 7) >>> 3, (byte) 0xFF);
    }
}
