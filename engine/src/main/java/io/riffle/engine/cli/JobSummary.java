package io.riffle.engine.cli;

import java.util.Locale;

import io.riffle.engine.JobResult;

/**
 * What a run reports on its last stdout line, as JSON; {@code outputRecords} is what reached the sinks
 * (replays after a restart included), {@code checkpoints} those completed, {@code restarts} and
 * {@code recoveryMillis} what failures cost.
 */
record JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism,
                  long checkpoints, int restarts, long recoveryMillis) {

    JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism) {
        this(job, records, keys, outputRecords, seconds, parallelism, 0, 0, 0);
    }

    JobSummary(String job, long records, int keys, long outputRecords, JobResult result, int parallelism) {
        this(job, records, keys, outputRecords, result.seconds(), parallelism, result.checkpoints(), result.restarts(),
                result.recoveryMillis());
    }

    String toJson() {
        double rate = seconds > 0 ? records / seconds : 0;
        return String.format(Locale.ROOT,
                "{\"job\":\"%s\",\"records\":%d,\"keys\":%d,\"output_records\":%d,\"seconds\":%.6f,"
                        + "\"records_per_s\":%.1f,\"parallelism\":%d,\"checkpoints\":%d,\"restarts\":%d,"
                        + "\"recovery_ms\":%d}",
                job, records, keys, outputRecords, seconds, rate, parallelism, checkpoints, restarts, recoveryMillis);
    }
}
