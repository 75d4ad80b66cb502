package io.riffle.engine.internal.checkpoint;

import java.time.Duration;

/**
 * How a job checkpoints: where, how often (0: only on demand), how long one may take, and how many may fail
 * in a row before the job fails ({@link #UNLIMITED_FAILURES}: it goes on whatever fails).
 */
public record CheckpointConfig(CheckpointStorage storage, Duration interval, Duration timeout,
                               int tolerableFailures) {
    /** {@link #tolerableFailures} of a job that never fails for its checkpoints. */
    public static final int UNLIMITED_FAILURES = Integer.MAX_VALUE;

    public CheckpointConfig {
        if (tolerableFailures < 0) {
            throw new IllegalArgumentException("tolerable checkpoint failures must not be negative: "
                    + tolerableFailures);
        }
    }

    /** Checkpoints that may fail in a row without failing the job. */
    public CheckpointConfig(CheckpointStorage storage, Duration interval, Duration timeout) {
        this(storage, interval, timeout, UNLIMITED_FAILURES);
    }
}
