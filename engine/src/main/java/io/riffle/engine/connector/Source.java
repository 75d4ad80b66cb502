package io.riffle.engine.connector;

import java.util.List;

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

    /**
     * Whether readers can say where they are ({@link SourceReader#position()}) and be started again from
     * there ({@link #restoreReader}): what exactly-once recovery needs of a source.
     */
    default boolean isRewindable() {
        return false;
    }

    /**
     * A reader that goes on from {@code positions}: the positions that earlier readers reported, those of
     * old subtask {@code i} given to new subtask {@code i mod parallelism}, so a checkpoint taken at one
     * parallelism can be restored at another. It returns exactly the records those readers had not
     * returned yet. An empty list means this subtask has nothing left to read.
     */
    default SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws Exception {
        throw new UnsupportedOperationException("source '" + name() + "' cannot be rewound");
    }
}
