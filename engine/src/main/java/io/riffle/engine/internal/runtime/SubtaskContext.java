package io.riffle.engine.internal.runtime;

import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.BufferAllocator;

/** What the runtime gives a subtask's operators: the public context plus the operator id and end-of-input commits. */
public record SubtaskContext(String operatorName, int subtask, int parallelism, BufferAllocator allocator,
                             int batchSize, int uid, FinalCommits finalCommits) implements TaskContext {
}
