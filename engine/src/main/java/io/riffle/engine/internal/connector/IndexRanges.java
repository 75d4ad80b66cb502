package io.riffle.engine.internal.connector;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What is left to read of a source whose record {@code i} is a function of {@code i} (the generators): a
 * list of half-open index ranges, consumed from the front. Its {@link #encode() bytes} are the reader's
 * position; the ranges of several old subtasks can be joined into one reader when a checkpoint is
 * restored at a lower parallelism.
 */
final class IndexRanges {
    private final long[] from;
    private final long[] to;
    private int current;

    private IndexRanges(long[] from, long[] to) {
        this.from = from;
        this.to = to;
        skipEmpty();
    }

    /** Subtask {@code subtask}'s contiguous share of {@code 0 .. count - 1}. */
    static IndexRanges share(long count, int subtask, int parallelism) {
        return new IndexRanges(new long[] {start(count, subtask, parallelism)},
                new long[] {start(count, subtask + 1, parallelism)});
    }

    /** The ranges left in every position, in order. */
    static IndexRanges decode(List<byte[]> positions, String source) {
        List<long[]> ranges = new ArrayList<>();
        for (byte[] position : positions) {
            ByteBuffer in = ByteBuffer.wrap(position);
            if (position.length % 16 != 0) {
                throw new IllegalArgumentException("source '" + source + "': a position of " + position.length
                        + " bytes is not a list of index ranges");
            }
            while (in.hasRemaining()) {
                ranges.add(new long[] {in.getLong(), in.getLong()});
            }
        }
        long[] from = new long[ranges.size()];
        long[] to = new long[ranges.size()];
        for (int i = 0; i < from.length; i++) {
            from[i] = ranges.get(i)[0];
            to[i] = ranges.get(i)[1];
        }
        return new IndexRanges(from, to);
    }

    private static long start(long count, int subtask, int parallelism) {
        // count * subtask may overflow for huge counts; split the multiplication.
        return (count / parallelism) * subtask + (count % parallelism) * subtask / parallelism;
    }

    boolean isEmpty() {
        return current == from.length;
    }

    /** The next index to read; only when not empty. */
    long next() {
        return from[current];
    }

    /** How many indexes follow {@link #next()} without a gap, at most {@code max}. */
    int run(int max) {
        return (int) Math.min(max, to[current] - from[current]);
    }

    /** Marks {@code n} indexes from {@link #next()} as read. */
    void advance(int n) {
        from[current] += n;
        skipEmpty();
    }

    private void skipEmpty() {
        while (current < from.length && from[current] >= to[current]) {
            current++;
        }
    }

    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate((from.length - current) * 16);
        for (int i = current; i < from.length; i++) {
            out.putLong(from[i]).putLong(to[i]);
        }
        return out.array();
    }
}
