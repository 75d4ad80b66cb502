package io.riffle.engine.internal.checkpoint;

import java.time.Duration;

/** How a job checkpoints: where, how often (0: only on demand), and how long one may take. */
public record CheckpointConfig(CheckpointStorage storage, Duration interval, Duration timeout) {
}
