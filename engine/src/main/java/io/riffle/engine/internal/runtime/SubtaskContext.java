package io.riffle.engine.internal.runtime;

import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.BufferAllocator;

record SubtaskContext(String operatorName, int subtask, int parallelism, BufferAllocator allocator, int batchSize)
        implements TaskContext {
}
