package io.riffle.engine;

/**
 * Records into and out of one operator (over all its subtasks), at the moment it was read; {@code source}
 * marks the job's sources; {@code recordsDropped} counts records a window operator dropped as late.
 */
public record OperatorStats(String name, int parallelism, boolean source, long recordsIn, long recordsOut,
                            long recordsDropped) {
}
