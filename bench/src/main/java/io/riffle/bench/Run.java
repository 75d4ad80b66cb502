package io.riffle.bench;

import java.util.Locale;

/** One timed run of a workload on a system: its figures and its result checksum, printed as a JSON line. */
public record Run(String system, Workload workload, long records, long keys, int parallelism, double seconds,
                  long rows, long checksum) {
    public double recordsPerSecond() {
        return records / seconds;
    }

    public String toJson() {
        return String.format(Locale.ROOT, "{\"system\":\"%s\",\"workload\":\"%s\",\"records\":%d,\"keys\":%d,"
                        + "\"parallelism\":%d,\"seconds\":%.6f,\"records_per_s\":%.1f,\"rows\":%d,\"checksum\":\"%016x\"}",
                system, workload, records, keys, parallelism, seconds, recordsPerSecond(), rows, checksum);
    }
}
