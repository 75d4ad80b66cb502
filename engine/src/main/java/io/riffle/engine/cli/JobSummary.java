package io.riffle.engine.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.riffle.engine.CheckpointFailureReason;
import io.riffle.engine.CheckpointFailures;
import io.riffle.engine.JobResult;
import org.jspecify.annotations.Nullable;

/**
 * What a run reports on its last stdout line, as JSON; {@code outputRecords} is what reached the sinks
 * (replays after a restart included), {@code checkpoints} those completed, {@code restarts} and
 * {@code recoveryMillis} what failures cost, {@code restoredCheckpoint} what the last attempt restored
 * (null: it started from the beginning) and {@code fallbacks} the damaged checkpoints recovery passed over;
 * when checkpoints failed, also how many ({@code failed_checkpoints}), how many for each reason
 * ({@code checkpoint_failures_by_reason}), and why the last one did ({@code last_checkpoint_failure_reason},
 * {@code last_checkpoint_failure}).
 */
record JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism,
                  long checkpoints, int restarts, long recoveryMillis, @Nullable Path restoredCheckpoint,
                  List<JobResult.Fallback> fallbacks, CheckpointFailures checkpointFailures) {

    JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism) {
        this(job, records, keys, outputRecords, seconds, parallelism, 0, 0, 0, null, List.of(),
                CheckpointFailures.NONE);
    }

    JobSummary(String job, long records, int keys, long outputRecords, JobResult result, int parallelism) {
        this(job, records, keys, outputRecords, result.seconds(), parallelism, result.checkpoints(), result.restarts(),
                result.recoveryMillis(), result.restoredCheckpoint(), result.fallbacks(), result.checkpointFailures());
    }

    String toJson() {
        double rate = seconds > 0 ? records / seconds : 0;
        StringBuilder fallbackArray = new StringBuilder("[");
        for (JobResult.Fallback f : fallbacks) {
            if (fallbackArray.length() > 1) {
                fallbackArray.append(',');
            }
            fallbackArray.append("{\"damaged\":").append(string(f.damaged())).append(",\"reason\":")
                    .append(string(f.reason())).append(",\"restored\":").append(string(f.restored()))
                    .append(",\"duplicates\":").append(f.duplicates()).append('}');
        }
        fallbackArray.append(']');
        CheckpointFailures.Last last = checkpointFailures.last();
        String failures = "";
        if (last != null) {
            StringBuilder byReason = new StringBuilder("{");
            for (Map.Entry<CheckpointFailureReason, Long> e : checkpointFailures.byReason().entrySet()) {
                byReason.append(byReason.length() > 1 ? "," : "").append(string(e.getKey().name())).append(':')
                        .append(e.getValue());
            }
            byReason.append('}');
            failures = String.format(Locale.ROOT, ",\"failed_checkpoints\":%d,\"checkpoint_failures_by_reason\":%s"
                    + ",\"last_checkpoint_failure_reason\":%s,\"last_checkpoint_failure\":%s",
                    checkpointFailures.count(), byReason, string(last.reason().name()), string(last.toString()));
        }
        return String.format(Locale.ROOT,
                "{\"job\":\"%s\",\"records\":%d,\"keys\":%d,\"output_records\":%d,\"seconds\":%.6f,"
                        + "\"records_per_s\":%.1f,\"parallelism\":%d,\"checkpoints\":%d,\"restarts\":%d,"
                        + "\"recovery_ms\":%d,\"restored_checkpoint\":%s,\"fallbacks\":%s%s}",
                job, records, keys, outputRecords, seconds, rate, parallelism, checkpoints, restarts, recoveryMillis,
                string(restoredCheckpoint), fallbackArray, failures);
    }

    /** A JSON string of {@code value}'s text, or null. */
    private static String string(Object value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
