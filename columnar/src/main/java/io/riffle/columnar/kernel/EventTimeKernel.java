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
     * Window assignment: {@code starts[i]} = the start of the {@code size}-long window, shifted by
     * {@code windowOffset} from the epoch, holding row {@code i}'s event time {@code t} (its timestamp plus
     * {@code timeOffset}), i.e. {@code t - floorMod(t - windowOffset, size)} as Flink's
     * {@code TimeWindow.getWindowStartWithOffset} (negative times included); returns whether every row falls
     * into the same window, the common case that needs no split. Nulls must be ruled out first.
     */
    public static boolean windowStarts(FieldVector timestamps, int rows, long timeOffset, long size, long windowOffset,
                                       long[] starts) {
        long data = timestamps.getDataBufferAddress();
        boolean same = true;
        long first = 0;
        for (int i = 0; i < rows; i++) {
            long t = MemoryUtil.getLong(data + ((long) i << 3)) + timeOffset;
            long start = t - Math.floorMod(t - windowOffset, size);
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
