package io.riffle.bench;

/**
 * The brief's workloads on its deterministic data: record i has key {@code i mod K}, value {@code i} and
 * timestamp {@code i} ms (W4: word i of the Zipf text over K words, {@code io.riffle.engine.connector.ZipfText}).
 * The same definition for every system; a run's "records" and "keys" are N and K.
 */
public enum Workload {
    /** Keyed running sum: keyBy(key).sum(value), one output row per input record. */
    W1(false),
    /** Batch group-by sum: groupBy(key).sum(value), one row per key. */
    W2(true),
    /** Tumbling 100 s event-time windows, keyBy(key).sum(value): one row per key and window. */
    W3(false),
    /**
     * Batch word count: N words of generated Zipf text over a vocabulary of K words, groupBy(word).count():
     * one (word, count) row per word that occurs.
     */
    W4(true),
    /**
     * Batch hash join then sum: N orders (customer i mod K, amount i) joined with K customers (id i, value i)
     * on customer = id, then the sum of the amounts per customer: one (customer, sum) row per customer.
     */
    W5(true);

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
