package io.riffle.engine.connector.file;

import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.BufferAllocator;

/** A task context for driving sources and sinks directly in tests. */
record TestTaskContext(String operatorName, int subtask, int parallelism, BufferAllocator allocator, int batchSize)
        implements TaskContext {

    /** Subtask {@code subtask} of {@code parallelism}. */
    static TestTaskContext of(BufferAllocator allocator, int subtask, int parallelism, int batchSize) {
        return new TestTaskContext("test", subtask, parallelism, allocator, batchSize);
    }

    /** The only subtask. */
    static TestTaskContext single(BufferAllocator allocator, int batchSize) {
        return of(allocator, 0, 1, batchSize);
    }
}
