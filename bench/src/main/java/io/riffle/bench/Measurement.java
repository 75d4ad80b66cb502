package io.riffle.bench;

import java.util.Locale;

/**
 * One run as the runner recorded it. Warm runs are repetitions inside the runner's process (the first of
 * each system is a warm-up, recorded but left out of the figures); cold runs are each a whole process of
 * their own, timed from its start to its exit, JVM start and the system's own start-up included.
 */
public record Measurement(Run run, Phase phase, int repetition, double wallSeconds) {
    /** Where a run's time comes from. */
    public enum Phase {
        /** The first in-process run of a system: JIT and caches cold; not in the figures. */
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
