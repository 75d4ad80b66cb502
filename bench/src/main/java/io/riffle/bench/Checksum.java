package io.riffle.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The result checksum every system's run of a workload must agree on: an order-free sum of a 64-bit mix of
 * each result row's fields, and the row count. W1 (a running sum per record, whose intermediate values depend
 * on how each key's records interleave across source subtasks) is checked by its rows and each key's final
 * sum. Rows are added to {@link Part}s, one per sink thread, which allocate nothing per row and share no
 * cache line, so the checksum costs every system little and the same; the parts are summed at the end.
 */
public final class Checksum {
    private final long keys;
    private final List<Part> parts = new ArrayList<>();
    private final ThreadLocal<Part> threadParts = ThreadLocal.withInitial(this::part);

    /** A checksum of a workload over keys {@code 0 .. keys - 1}. */
    public Checksum(long keys) {
        if (keys < 1 || keys > 1 << 26) {
            throw new IllegalArgumentException("the checksum keeps a final sum per key: 1 to 2^26 keys, not " + keys);
        }
        this.keys = keys;
    }

    /** A new part, for one thread's rows. */
    public synchronized Part part() {
        Part p = new Part((int) keys);
        parts.add(p);
        return p;
    }

    /** The calling thread's part (created on its first call). */
    public Part forThisThread() {
        return threadParts.get();
    }

    public synchronized long rows() {
        long rows = 0;
        for (Part p : parts) {
            rows += p.rows;
        }
        return rows;
    }

    /** The checksum of the rows added (for running sums: of each key's final sum). */
    public synchronized long value() {
        long total = 0;
        long[] finalSums = null;
        for (Part p : parts) {
            total += p.sum;
            if (p.finalSums != null) {
                if (finalSums == null) {
                    finalSums = new long[(int) keys];
                    Arrays.fill(finalSums, -1);
                }
                for (int k = 0; k < finalSums.length; k++) {
                    finalSums[k] = Math.max(finalSums[k], p.finalSums[k]);
                }
            }
        }
        if (finalSums != null) {
            for (int k = 0; k < finalSums.length; k++) {
                if (finalSums[k] >= 0) {
                    total += row(k, finalSums[k]);
                }
            }
        }
        return total;
    }

    /** The mix of a row of two fields. */
    public static long row(long a, long b) {
        return mix(mix(SEED * 31 + a) * 31 + b);
    }

    /** The mix of a row of three fields. */
    public static long row(long a, long b, long c) {
        return mix(row(a, b) * 31 + c);
    }

    /** A 64-bit hash of UTF-8 bytes (FNV-1a, then mixed), for string fields. */
    public static long utf8(byte[] bytes, int offset, int length) {
        long h = 0xCBF29CE484222325L;
        for (int i = offset; i < offset + length; i++) {
            h = (h ^ (bytes[i] & 0xFF)) * 0x100000001B3L;
        }
        return mix(h);
    }

    private static final long SEED = 0x9E3779B97F4A7C15L;

    /** The murmur3 64-bit finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }

    /** One thread's rows; not thread-safe. */
    public static final class Part {
        private final int keys;
        private long sum;
        private long rows;
        /** Each key's highest running sum (values are non-negative, so that is its final one); -1 if none. */
        private long[] finalSums;
        // Keeps two threads' parts off one cache line.
        @SuppressWarnings("unused")
        private long p1, p2, p3, p4, p5, p6, p7;

        private Part(int keys) {
            this.keys = keys;
        }

        /** Adds a result row of two fields. */
        public void add(long a, long b) {
            sum += row(a, b);
            rows++;
        }

        /** Adds a result row of three fields. */
        public void add(long a, long b, long c) {
            sum += row(a, b, c);
            rows++;
        }

        /**
         * Adds {@code n} running-sum rows from off-heap int64 columns: the keys at {@code keys}, their sums
         * at {@code sums}; one loop for a batch, as {@link #addRunning(long, long)} row by row.
         */
        public void addRunning(long keys, long sums, int n) {
            long[] last = finalSums();
            for (int r = 0; r < n; r++) {
                int k = (int) MemoryUtil.getLong(keys + ((long) r << 3));
                last[k] = Math.max(last[k], MemoryUtil.getLong(sums + ((long) r << 3)));
            }
            rows += n;
        }

        /** Adds one running-sum row: the sum of {@code key} after one of its records. */
        public void addRunning(long key, long runningSum) {
            long[] last = finalSums();
            rows++;
            int k = (int) key;
            if (runningSum > last[k]) {
                last[k] = runningSum;
            }
        }

        private long[] finalSums() {
            if (finalSums == null) {
                finalSums = new long[keys];
                Arrays.fill(finalSums, -1);
            }
            return finalSums;
        }
    }
}
