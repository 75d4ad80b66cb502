package io.riffle.baselines;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The result checksum every system's run of a workload must agree on: an order-free sum of a 64-bit mix of
 * each result row's fields, and the row count. W1 (a running sum per record, whose intermediate values depend
 * on how each key's records interleave across source subtasks) is checked by its rows and each key's final
 * sum. Thread-safe: the sinks of all subtasks add to one instance; adding a row allocates nothing, so that
 * the checksum costs every system little and the same.
 */
public final class Checksum {
    private final AtomicLong sum = new AtomicLong();
    private final LongAdder rows = new LongAdder();
    /** W1: each key's highest running sum (values are non-negative, so that is its final one); -1 if none. */
    private final AtomicLongArray finalSums;

    /** A checksum of a workload over keys {@code 0 .. keys - 1}. */
    public Checksum(long keys) {
        if (keys > 1 << 26) {
            throw new IllegalArgumentException("the checksum keeps a final sum per key: at most 2^26 keys, not " + keys);
        }
        finalSums = new AtomicLongArray((int) keys);
        for (int k = 0; k < keys; k++) {
            finalSums.set(k, -1);
        }
    }

    /** Adds one result row of the given fields. */
    public void add(long... fields) {
        long h = 0x9E3779B97F4A7C15L;
        for (long f : fields) {
            h = mix(h * 31 + f);
        }
        sum.addAndGet(h);
        rows.increment();
    }

    /** Adds one W1 row: the running sum of {@code key} after one of its records. */
    public void addRunning(long key, long runningSum) {
        rows.increment();
        int k = (int) key;
        for (long seen = finalSums.get(k); runningSum > seen; seen = finalSums.get(k)) {
            if (finalSums.compareAndSet(k, seen, runningSum)) {
                break;
            }
        }
    }

    public long rows() {
        return rows.sum();
    }

    /** The checksum of the rows added (for W1: of each key's final sum). */
    public long value() {
        long total = sum.get();
        for (int k = 0; k < finalSums.length(); k++) {
            long last = finalSums.get(k);
            if (last >= 0) {
                total += mix(mix(0x9E3779B97F4A7C15L * 31 + k) * 31 + last);
            }
        }
        return total;
    }

    /** The murmur3 64-bit finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xFF51AFD7ED558CCDL;
        z = (z ^ (z >>> 33)) * 0xC4CEB9FE1A85EC53L;
        return z ^ (z >>> 33);
    }
}
