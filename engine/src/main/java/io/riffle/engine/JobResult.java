package io.riffle.engine;

import java.nio.file.Path;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A finished job: how long it ran, what each operator saw (in its last attempt), how often it restarted
 * after a failure and how long recovering took in all, how many checkpoints completed, which checkpoint
 * its last attempt restored ({@code restoredCheckpoint}, null when it started from the beginning), every
 * damaged checkpoint recovery passed over ({@code fallbacks}, oldest first), and the checkpoints that
 * failed ({@code checkpointFailures}: how many, by {@link CheckpointFailureReason}, and the last one).
 *
 * <pre>{@code
 * JobResult r = env.restoreFrom(Path.of("checkpoints")).execute();
 * if (!r.fallbacks().isEmpty()) log.warn("fell back: {}", r.fallbacks());
 * }</pre>
 */
public record JobResult(String jobName, double seconds, List<OperatorStats> operators, int restarts,
                        long checkpoints, long recoveryMillis, @Nullable Path restoredCheckpoint,
                        List<Fallback> fallbacks, CheckpointFailures checkpointFailures) {
    /**
     * Recovery passed over the damaged checkpoint {@code damaged} for {@code reason} (naming the file at
     * fault) and restored {@code restored} instead (null: it started from the beginning). The sinks took
     * back what was committed after the restored one, unless {@code duplicates}: a sink could not, the
     * user allowed it ({@link Environment#allowDuplicatesOnFallback()}), and that output is there twice.
     */
    public record Fallback(Path damaged, String reason, Path restored, boolean duplicates) {
    }

    /** Checkpoints that failed, over all attempts: {@code checkpointFailures().count()}. */
    public long failedCheckpoints() {
        return checkpointFailures.count();
    }

    /** Which checkpoint failed last and what happened ({@code checkpoint 5: ...}), or null when none failed. */
    public @Nullable String lastCheckpointFailure() {
        CheckpointFailures.Last last = checkpointFailures.last();
        return last == null ? null : last.toString();
    }

    /** Records emitted by the job's sources. */
    public long sourceRecords() {
        long n = 0;
        for (OperatorStats s : operators) {
            if (s.source()) {
                n += s.recordsOut();
            }
        }
        return n;
    }
}
