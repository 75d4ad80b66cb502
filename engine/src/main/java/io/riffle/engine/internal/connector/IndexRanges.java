package io.riffle.engine.internal.connector;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What is left to read of a source whose record {@code i} is a function of {@code i} (the generators): a
 * list of strided index ranges ({@code from, from + step, ...} below {@code to}), consumed from the front.
 * Its {@link #encode() bytes} are the reader's position; the ranges of several old subtasks can be joined
 * into one reader when a checkpoint is restored at a lower parallelism.
 */
final class IndexRanges {
    private static final int RANGE_BYTES = 24;

    private final long[] from;
    private final long[] to;
    private final long[] step;
    private int current;

    private IndexRanges(long[] from, long[] to, long[] step) {
        this.from = from;
        this.to = to;
        this.step = step;
        skipEmpty();
    }

    /**
     * Subtask {@code subtask}'s share of {@code 0 .. count - 1}: every {@code parallelism}-th index from
     * {@code subtask}, so that all subtasks move through the sequence (and its timestamps) together.
     */
    static IndexRanges share(long count, int subtask, int parallelism) {
        return new IndexRanges(new long[] {subtask}, new long[] {count}, new long[] {parallelism});
    }

    /** The ranges left in every position, in order. */
    static IndexRanges decode(List<byte[]> positions, String source) {
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

    boolean isEmpty() {
        return current == from.length;
    }

    /** The next index to read; only when not empty. */
    long next() {
        return from[current];
    }

    /** The distance between the indexes of the current range. */
    long step() {
        return step[current];
    }

    /** How many indexes of the current range are left from {@link #next()}, at most {@code max}. */
    int run(int max) {
        return (int) Math.min(max, (to[current] - from[current] - 1) / step[current] + 1);
    }

    /** Marks {@code n} indexes from {@link #next()} as read. */
    void advance(int n) {
        long next = from[current] + n * step[current];
        from[current] = next < from[current] ? to[current] : next;
        skipEmpty();
    }

    private void skipEmpty() {
        while (current < from.length && from[current] >= to[current]) {
            current++;
        }
    }

    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate((from.length - current) * RANGE_BYTES);
        for (int i = current; i < from.length; i++) {
            out.putLong(from[i]).putLong(to[i]).putLong(step[i]);
        }
        return out.array();
    }
}
