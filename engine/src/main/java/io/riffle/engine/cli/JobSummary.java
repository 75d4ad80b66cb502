package io.riffle.engine.cli;

import java.util.Locale;

import io.riffle.engine.JobResult;

/**
 * What a run reports on its last stdout line, as JSON; {@code outputRecords} is what reached the sinks
 * (replays after a restart included), {@code checkpoints} those completed, {@code restarts} and
 * {@code recoveryMillis} what failures cost; when checkpoints failed, also how many
 * ({@code failed_checkpoints}) and why the last one did ({@code last_checkpoint_failure}).
 */
record JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism,
                  long checkpoints, int restarts, long recoveryMillis, long failedCheckpoints,
                  String lastCheckpointFailure) {

    JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism) {
        this(job, records, keys, outputRecords, seconds, parallelism, 0, 0, 0, 0, null);
    }

    JobSummary(String job, long records, int keys, long outputRecords, JobResult result, int parallelism) {
        this(job, records, keys, outputRecords, result.seconds(), parallelism, result.checkpoints(), result.restarts(),
                result.recoveryMillis(), result.failedCheckpoints(), result.lastCheckpointFailure());
    }

    String toJson() {
        double rate = seconds > 0 ? records / seconds : 0;
        String failures = failedCheckpoints == 0 ? "" : String.format(Locale.ROOT,
                ",\"failed_checkpoints\":%d,\"last_checkpoint_failure\":\"%s\"", failedCheckpoints,
                jsonEscaped(lastCheckpointFailure));
        return String.format(Locale.ROOT,
                "{\"job\":\"%s\",\"records\":%d,\"keys\":%d,\"output_records\":%d,\"seconds\":%.6f,"
                        + "\"records_per_s\":%.1f,\"parallelism\":%d,\"checkpoints\":%d,\"restarts\":%d,"
                        + "\"recovery_ms\":%d%s}",
                job, records, keys, outputRecords, seconds, rate, parallelism, checkpoints, restarts, recoveryMillis,
                failures);
    }

    /** {@code text} as the inside of a JSON string. */
    static String jsonEscaped(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
