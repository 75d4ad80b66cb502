package io.riffle.engine.expr;

import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.BufferAllocator;

/** The context an operator under test is opened with: subtask 0 of 1. */
record TestContext(BufferAllocator allocator, int batchSize) implements TaskContext {
    @Override
    public String operatorName() {
        return "test";
    }

    @Override
    public int subtask() {
        return 0;
    }

    @Override
    public int parallelism() {
        return 1;
    }
}
