package io.riffle.bench;

import java.util.List;
import java.util.Map;

/**
 * What a bench run measures: the workloads with their record counts (N), the keys (K, for W4 the
 * vocabulary and for W5 the customers), the parallelism, how many warm repetitions (after one warm-up) and
 * cold whole-process runs each system gets, the L1 setup ({@code null}: no L1), and which systems (empty:
 * every one on the classpath).
 */
public record Settings(List<Workload> workloads, Map<Workload, Long> records, long keys, int parallelism,
                       int repetitions, int coldRuns, LatencySetup latency, List<String> systems) {
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
        if (keys < 1 || parallelism < 1 || repetitions < 1 || coldRuns < 0) {
            throw new IllegalArgumentException("a bench run needs keys, parallelism and repetitions of at least 1 and"
                    + " cold runs of at least 0, not keys " + keys + ", parallelism " + parallelism + ", repetitions "
                    + repetitions + ", cold runs " + coldRuns);
        }
    }

    public long records(Workload workload) {
        return records.get(workload);
    }
}
