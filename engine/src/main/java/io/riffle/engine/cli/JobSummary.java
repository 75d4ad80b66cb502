package io.riffle.engine.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.riffle.engine.JobResult;

/**
 * What a run reports on its last stdout line, as JSON; {@code outputRecords} is what reached the sinks
 * (replays after a restart included), {@code checkpoints} those completed, {@code restarts} and
 * {@code recoveryMillis} what failures cost, {@code restoredCheckpoint} what the last attempt restored
 * (null: it started from the beginning) and {@code fallbacks} the damaged checkpoints recovery passed over;
 * when checkpoints failed, also how many ({@code failed_checkpoints}) and why the last one did
 * ({@code last_checkpoint_failure}).
 */
record JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism,
                  long checkpoints, int restarts, long recoveryMillis, Path restoredCheckpoint,
                  List<JobResult.Fallback> fallbacks, long failedCheckpoints, String lastCheckpointFailure) {

    JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism) {
        this(job, records, keys, outputRecords, seconds, parallelism, 0, 0, 0, null, List.of(), 0, null);
    }

    JobSummary(String job, long records, int keys, long outputRecords, JobResult result, int parallelism) {
        this(job, records, keys, outputRecords, result.seconds(), parallelism, result.checkpoints(), result.restarts(),
                result.recoveryMillis(), result.restoredCheckpoint(), result.fallbacks(), result.failedCheckpoints(),
                result.lastCheckpointFailure());
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
        String failures = failedCheckpoints == 0 ? "" : String.format(Locale.ROOT,
                ",\"failed_checkpoints\":%d,\"last_checkpoint_failure\":%s", failedCheckpoints,
                string(lastCheckpointFailure));
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
