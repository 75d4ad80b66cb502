package io.riffle.bench;

import java.util.Locale;

/**
 * One system's L1 figures: the latency percentiles in nanoseconds over the measured records, the rate the
 * source achieved, and the checkpoints completed while it ran.
 */
public record LatencyRun(String system, String variant, long recordsPerSecond, long measuredRecords,
                         int parallelism, double achievedRecordsPerSecond, long checkpoints,
                         long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos) {
    public String toJson() {
        return String.format(Locale.ROOT, "{\"system\":\"%s\",\"variant\":\"%s\",\"records_per_s\":%d,"
                        + "\"measured_records\":%d,\"parallelism\":%d,\"achieved_records_per_s\":%.1f,\"checkpoints\":%d,"
                        + "\"p50_ns\":%d,\"p99_ns\":%d,\"p999_ns\":%d,\"max_ns\":%d}",
                Json.escape(system), Json.escape(variant), recordsPerSecond, measuredRecords, parallelism,
                achievedRecordsPerSecond, checkpoints, p50Nanos, p99Nanos, p999Nanos, maxNanos);
    }
}
