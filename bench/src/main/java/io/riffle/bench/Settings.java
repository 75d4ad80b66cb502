package io.riffle.bench;

import java.util.List;
import java.util.Map;

/**
 * What a bench run measures: the workloads with their record counts (N), the keys (K, for W4 the
 * vocabulary and for W5 the customers), the parallelism, how many warm repetitions each system gets after
 * warming up for {@code warmupSeconds} of its own runs (at least one run), how many cold whole-process
 * runs, the L1 setup ({@code null}: no L1), and which systems (empty: every one on the classpath).
 */
public record Settings(List<Workload> workloads, Map<Workload, Long> records, long keys, int parallelism,
                       int repetitions, double warmupSeconds, int coldRuns, LatencySetup latency, List<String> systems) {
    public Settings {
        workloads = List.copyOf(workloads);
        records = Map.copyOf(records);
        systems = List.copyOf(systems);
        for (Workload w : workloads) {
            Long n = records.get(w);
            if (n == null || n < 1) {
                throw new IllegalArgumentException(w + " needs a record count of at least 1, not " + n);
            }
        }
        if (keys < 1 || parallelism < 1 || repetitions < 1 || coldRuns < 0 || !(warmupSeconds >= 0)) {
            throw new IllegalArgumentException("a bench run needs keys, parallelism and repetitions of at least 1, and"
                    + " warm-up seconds and cold runs of at least 0, not keys " + keys + ", parallelism " + parallelism
                    + ", repetitions " + repetitions + ", warm-up seconds " + warmupSeconds + ", cold runs " + coldRuns);
        }
    }

    public long records(Workload workload) {
        return records.get(workload);
    }
}
