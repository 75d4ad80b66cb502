package io.riffle.engine.internal.runtime;

import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What the runtime gives a subtask's operators: the public context plus the operator id, where
 * end-of-input commits go, the job's number of key groups (which keyed state is filed by) and the
 * operator's metrics.
 */
public record SubtaskContext(String operatorName, int subtask, int parallelism, BufferAllocator allocator,
                             int batchSize, int uid, FinalCommits finalCommits, int maxParallelism,
                             OperatorMetrics metrics) implements TaskContext {
}
