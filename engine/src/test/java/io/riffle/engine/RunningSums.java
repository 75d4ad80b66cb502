package io.riffle.engine;

import java.util.Arrays;
import java.util.List;

/**
 * W1's output as sorted {@code key << 40 | running sum} words, to compare hundreds of thousands of rows
 * exactly and quickly: the generator's record {@code i} has key {@code i mod keys} and value {@code i}.
 */
final class RunningSums {
    private RunningSums() {
    }

    /**
     * The (key, running sum) of every record from {@code from} on, the sums counting the records before it
     * too: what a run emits that restored a checkpoint taken after {@code from} records. Exact where each
     * key's records reach it in order: at parallelism 1, or 2 with an even number of keys (every key's records
     * then come from one generator subtask).
     */
    static long[] expected(long records, long keys, long from) {
        long[] sums = new long[(int) keys];
        long[] out = new long[(int) (records - from)];
        for (long i = 0; i < records; i++) {
            int key = (int) (i % keys);
            sums[key] += i;
            if (i >= from) {
                out[(int) (i - from)] = (long) key << 40 | sums[key];
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** Rows (key, running sum, ...) in the same form. */
    static long[] of(List<Tuple> rows) {
        long[] out = new long[rows.size()];
        for (int r = 0; r < out.length; r++) {
            out[r] = rows.get(r).getLong(0) << 40 | rows.get(r).getLong(1);
        }
        Arrays.sort(out);
        return out;
    }
}
