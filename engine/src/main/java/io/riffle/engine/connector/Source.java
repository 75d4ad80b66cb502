package io.riffle.engine.connector;

import io.riffle.columnar.batch.BatchSchema;

/**
 * A bounded source of record batches. The planner asks it for its schema (so that field errors surface
 * when the job is built) and creates one {@link SourceReader} per subtask.
 */
public interface Source {
    /** A short name for plans, metrics and errors, e.g. {@code "csv(orders.csv)"}. */
    String name();

    /** The schema of every batch the readers return. */
    BatchSchema schema();

    /** The most subtasks that can read in parallel; 1 for a source that cannot be split. */
    default int maxParallelism() {
        return Integer.MAX_VALUE;
    }

    /** The reader for subtask {@code context.subtask()} of {@code context.parallelism()}. */
    SourceReader createReader(TaskContext context) throws Exception;
}
