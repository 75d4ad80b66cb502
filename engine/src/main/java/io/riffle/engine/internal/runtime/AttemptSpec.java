package io.riffle.engine.internal.runtime;

import io.riffle.engine.FailureInjector;
import io.riffle.engine.internal.checkpoint.CheckpointConfig;
import io.riffle.engine.internal.checkpoint.CheckpointIds;
import io.riffle.engine.internal.checkpoint.CheckpointParticipants;
import io.riffle.engine.internal.checkpoint.CheckpointStats;
import io.riffle.engine.internal.checkpoint.RestoredCheckpoint;
import org.jspecify.annotations.Nullable;

/**
 * What one attempt of a job runs with beyond its plan: checkpointing (null config: none), the checkpoint
 * to restore (null: start from the beginning), the job's two-phase-commit sinks and rewindable sources, the
 * place their end-of-input committables go, and a failure injector (null: none).
 */
public record AttemptSpec(@Nullable CheckpointConfig checkpoints, @Nullable CheckpointIds ids, CheckpointStats stats,
                          String planFingerprint, @Nullable RestoredCheckpoint restore,
                          CheckpointParticipants participants, FinalCommits finalCommits,
                          @Nullable FailureInjector failures) {
    /** A plain run: no checkpoints, nothing restored, no injected failures. */
    public static AttemptSpec plain() {
        return new AttemptSpec(null, null, new CheckpointStats(), "", null, CheckpointParticipants.NONE,
                new FinalCommits(), null);
    }
}
