package io.riffle.baselines;

/**
 * The brief's workloads on its deterministic data: record i has key {@code i mod K}, value {@code i} and
 * timestamp {@code i} ms. The same definition for every system.
 */
public enum Workload {
    /** Keyed running sum: keyBy(key).sum(value), one output row per input record. */
    W1,
    /** Batch group-by sum: groupBy(key).sum(value), one row per key. */
    W2,
    /** Tumbling 100 s event-time windows, keyBy(key).sum(value): one row per key and window. */
    W3;

    /** The W3 window size. */
    public static final long WINDOW_MS = 100_000;
}
