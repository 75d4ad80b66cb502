package io.riffle.bench;

import java.util.List;

/**
 * A system the runner measures: Riffle itself, or a baseline found as a {@link java.util.ServiceLoader}
 * service on the classpath (the {@code baselines} module registers Flink, Spark and Hadoop MapReduce). An
 * implementation has a public no-argument constructor and runs one job at a time.
 */
public interface Contender {
    /** The name in results and tables: {@code riffle}, {@code flink}, {@code spark}, {@code hadoop}. */
    String name();

    /** Whether this system has a job for {@code workload}. */
    boolean runs(Workload workload);

    /**
     * Runs {@code workload} once over {@code records} records and {@code keys} keys at {@code parallelism},
     * timing the job alone (not the JVM's start), and checksums its result rows.
     */
    Run run(Workload workload, long records, long keys, int parallelism) throws Exception;

    /** The configurations this system's L1 latency is measured in (none: it takes no part in L1). */
    default List<String> latencyVariants() {
        return List.of();
    }

    /** Measures L1 in one of {@link #latencyVariants()}. */
    default LatencyRun latency(String variant, LatencySetup setup) throws Exception {
        throw new UnsupportedOperationException(name() + " has no L1 job");
    }
}
