package io.riffle.engine.internal.connector;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What is left to read of a source whose record {@code i} is a function of {@code i} (the generators): a
 * list of strided index ranges ({@code from, from + step, ...} below {@code to}), read in index order
 * across ranges: the ranges of several old subtasks, joined into one reader when a checkpoint is restored
 * at a lower parallelism, interleave as the old subtasks did, so event time still moves forward. Its
 * {@link #encode() bytes} are the reader's position. The Arrow IPC source keeps its record batches' indexes so.
 */
public final class IndexRanges {
    private static final int RANGE_BYTES = 24;

    private final long[] from;
    private final long[] to;
    private final long[] step;
    private int current;

    private IndexRanges(long[] from, long[] to, long[] step) {
        this.from = from;
        this.to = to;
        this.step = step;
        pickCurrent();
    }

    /**
     * Subtask {@code subtask}'s share of {@code 0 .. count - 1}: every {@code parallelism}-th index from
     * {@code subtask}, so that all subtasks move through the sequence (and its timestamps) together.
     */
    public static IndexRanges share(long count, int subtask, int parallelism) {
        return new IndexRanges(new long[] {subtask}, new long[] {count}, new long[] {parallelism});
    }

    /** The ranges left in every position, in order. */
    public static IndexRanges decode(List<byte[]> positions, String source) {
        List<long[]> ranges = new ArrayList<>();
        for (byte[] position : positions) {
            ByteBuffer in = ByteBuffer.wrap(position);
            if (position.length % RANGE_BYTES != 0) {
                throw new IllegalArgumentException("source '" + source + "': a position of " + position.length
                        + " bytes is not a list of index ranges");
            }
            while (in.hasRemaining()) {
                long[] range = {in.getLong(), in.getLong(), in.getLong()};
                if (range[2] < 1) {
                    throw new IllegalArgumentException("source '" + source + "': an index range with step "
                            + range[2]);
                }
                ranges.add(range);
            }
        }
        long[] from = new long[ranges.size()];
        long[] to = new long[ranges.size()];
        long[] step = new long[ranges.size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = ranges.get(i)[0];
            to[i] = ranges.get(i)[1];
            step[i] = ranges.get(i)[2];
        }
        return new IndexRanges(from, to, step);
    }

    public boolean isEmpty() {
        return current < 0;
    }

    /** How many indexes are left over all ranges, at most {@code max}. */
    public int remaining(int max) {
        long left = 0;
        for (int i = 0; i < from.length && left < max; i++) {
            if (from[i] < to[i]) {
                left += (to[i] - from[i] - 1) / step[i] + 1;
            }
        }
        return (int) Math.min(max, left);
    }

    /** The next index to read; only when not empty. */
    public long next() {
        return from[current];
    }

    /** The distance between the indexes of the current range. */
    public long step() {
        return step[current];
    }

    /**
     * How many indexes of the current range follow from {@link #next()} before another range has a lower
     * one, at most {@code max}; at least 1.
     */
    public int run(int max) {
        long end = to[current];
        for (int i = 0; i < from.length; i++) {
            if (i != current && from[i] < to[i]) {
                end = Math.min(end, from[i]);
            }
        }
        long run = end <= from[current] ? 1 : (end - from[current] - 1) / step[current] + 1;
        return (int) Math.min(max, run);
    }

    /** Marks {@code n} indexes from {@link #next()} as read. */
    public void advance(int n) {
        long next = from[current] + n * step[current];
        from[current] = next < from[current] ? to[current] : next;
        pickCurrent();
    }

    /** The range with the lowest next index; -1 when all are read. */
    private void pickCurrent() {
        current = -1;
        for (int i = 0; i < from.length; i++) {
            if (from[i] < to[i] && (current < 0 || from[i] < from[current])) {
                current = i;
            }
        }
    }

    public byte[] encode() {
        int live = 0;
        for (int i = 0; i < from.length; i++) {
            live += from[i] < to[i] ? 1 : 0;
        }
        ByteBuffer out = ByteBuffer.allocate(live * RANGE_BYTES);
        for (int i = 0; i < from.length; i++) {
            if (from[i] < to[i]) {
                out.putLong(from[i]).putLong(to[i]).putLong(step[i]);
            }
        }
        return out.array();
    }
}
