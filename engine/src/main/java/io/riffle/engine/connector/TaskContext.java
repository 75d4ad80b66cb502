package io.riffle.engine.connector;

import org.apache.arrow.memory.BufferAllocator;

/** What a running subtask tells the sources, sinks and operators it runs. */
public interface TaskContext {
    /** The operator's name, e.g. {@code "keyBy(word).sum(count)"}. */
    String operatorName();

    /** This subtask's index, {@code 0 .. parallelism - 1}. */
    int subtask();

    /** The operator's parallelism. */
    int parallelism();

    /** The job's allocator: every batch a task creates comes from it and is closed by its owner. */
    BufferAllocator allocator();

    /** The number of rows a task aims to put in one batch. */
    int batchSize();
}
