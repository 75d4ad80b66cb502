package io.riffle.engine.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import io.riffle.engine.JobResult;

/**
 * What a run reports on its last stdout line, as JSON; {@code outputRecords} is what reached the sinks
 * (replays after a restart included), {@code checkpoints} those completed, {@code restarts} and
 * {@code recoveryMillis} what failures cost, {@code restoredCheckpoint} what the last attempt restored
 * (null: it started from the beginning) and {@code fallbacks} the damaged checkpoints recovery passed over.
 */
record JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism,
                  long checkpoints, int restarts, long recoveryMillis, Path restoredCheckpoint,
                  List<JobResult.Fallback> fallbacks) {

    JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism) {
        this(job, records, keys, outputRecords, seconds, parallelism, 0, 0, 0, null, List.of());
    }

    JobSummary(String job, long records, int keys, long outputRecords, JobResult result, int parallelism) {
        this(job, records, keys, outputRecords, result.seconds(), parallelism, result.checkpoints(), result.restarts(),
                result.recoveryMillis(), result.restoredCheckpoint(), result.fallbacks());
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
        return String.format(Locale.ROOT,
                "{\"job\":\"%s\",\"records\":%d,\"keys\":%d,\"output_records\":%d,\"seconds\":%.6f,"
                        + "\"records_per_s\":%.1f,\"parallelism\":%d,\"checkpoints\":%d,\"restarts\":%d,"
                        + "\"recovery_ms\":%d,\"restored_checkpoint\":%s,\"fallbacks\":%s}",
                job, records, keys, outputRecords, seconds, rate, parallelism, checkpoints, restarts, recoveryMillis,
                string(restoredCheckpoint), fallbackArray);
    }

    /** A JSON string of {@code value}'s text, or null. */
    private static String string(Object value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
