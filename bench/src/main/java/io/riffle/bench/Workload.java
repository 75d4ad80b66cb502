package io.riffle.bench;

/**
 * The brief's workloads on its deterministic data: record i has key {@code i mod K}, value {@code i} and
 * timestamp {@code i} ms. The same definition for every system; a run's "records" and "keys" are N and K.
 */
public enum Workload {
    /** Keyed running sum: keyBy(key).sum(value), one output row per input record. */
    W1(false),
    /** Batch group-by sum: groupBy(key).sum(value), one row per key. */
    W2(true),
    /** Tumbling 100 s event-time windows, keyBy(key).sum(value): one row per key and window. */
    W3(false);

    /** The W3 window size. */
    public static final long WINDOW_MS = 100_000;

    private final boolean batch;

    Workload(boolean batch) {
        this.batch = batch;
    }

    /** Batch workloads are compared with Flink, Spark and Hadoop; streaming ones with Flink. */
    public boolean isBatch() {
        return batch;
    }
}
