package io.riffle.bench;

import java.util.Locale;

/**
 * One run as the runner recorded it. Warm runs are repetitions inside the runner's process (each system's
 * first runs are its warm-up, recorded but left out of the figures); cold runs are each a whole process of
 * their own, timed from its start to its exit, JVM start and the system's own start-up included.
 */
public record Measurement(Run run, Phase phase, int repetition, double wallSeconds) {
    /** Where a run's time comes from. */
    public enum Phase {
        /** A system's first in-process runs, while its JIT compiles and its caches fill; not in the figures. */
        WARMUP,
        /** A later in-process run. */
        WARM,
        /** A whole process: JVM start, the system's start-up and the job. */
        COLD
    }

    public double recordsPerSecond() {
        return run.records() / wallSeconds;
    }

    String toJson() {
        String job = run.toJson();
        return String.format(Locale.ROOT, "{\"phase\":\"%s\",\"repetition\":%d,\"wall_seconds\":%.6f,"
                        + "\"wall_records_per_s\":%.1f,\"run\":%s}",
                phase.name().toLowerCase(Locale.ROOT), repetition, wallSeconds, recordsPerSecond(), job);
    }
}
