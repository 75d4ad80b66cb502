package io.riffle.columnar.kernel;

import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/** Kernels over a timestamp column ({@code timestamp[ms]} or {@code int64}, 8 bytes a value). */
public final class EventTimeKernel {
    private EventTimeKernel() {
    }

    /** The highest value of the first {@code rows} rows, nulls left out; {@code Long.MIN_VALUE} when there is none. */
    public static long max(FieldVector timestamps, int rows) {
        long data = timestamps.getDataBufferAddress();
        long validity = Bits.nullsAddress(timestamps);
        long max = Long.MIN_VALUE;
        if (validity == 0L) {
            for (int i = 0; i < rows; i++) {
                max = Math.max(max, MemoryUtil.getLong(data + ((long) i << 3)));
            }
        } else {
            for (int i = 0; i < rows; i++) {
                if (Bits.isValid(validity, i)) {
                    max = Math.max(max, MemoryUtil.getLong(data + ((long) i << 3)));
                }
            }
        }
        return max;
    }

    /**
     * Window assignment: {@code starts[i]} = the start of the {@code size}-long window (aligned to the
     * epoch) holding row {@code i}'s timestamp, i.e. {@code t - floorMod(t, size)}; returns whether every
     * row falls into the same window, the common case that needs no split. Nulls must be ruled out first.
     */
    public static boolean windowStarts(FieldVector timestamps, int rows, long size, long[] starts) {
        return windowStarts(timestamps, rows, size, 0, starts);
    }

    /**
     * Window assignment with windows shifted by {@code offset} from the epoch: {@code starts[i] = t -
     * floorMod(t - offset, size)}, as Flink's {@code TimeWindow.getWindowStartWithOffset} (negative times
     * included); returns whether every row falls into the same window.
     */
    public static boolean windowStarts(FieldVector timestamps, int rows, long size, long offset, long[] starts) {
        long data = timestamps.getDataBufferAddress();
        boolean same = true;
        long first = 0;
        for (int i = 0; i < rows; i++) {
            long t = MemoryUtil.getLong(data + ((long) i << 3));
            long start = t - Math.floorMod(t - offset, size);
            starts[i] = start;
            if (i == 0) {
                first = start;
            } else {
                same &= start == first;
            }
        }
        return same;
    }
}
