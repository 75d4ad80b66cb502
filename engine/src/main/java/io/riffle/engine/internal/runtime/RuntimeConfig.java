package io.riffle.engine.internal.runtime;

import io.riffle.scheduler.IdleMode;

/** How a job's runtime is set up: workers, idling, pinning, channel and batch sizes, key groups. */
public record RuntimeConfig(int workers, IdleMode idleMode, boolean pinned, int channelCapacity, int batchSize,
                            int maxParallelism) {
}
