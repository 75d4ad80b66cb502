package io.riffle.engine.connector;

import io.riffle.columnar.batch.BatchSchema;

/** Where a job's results go: one {@link SinkWriter} per subtask. */
public interface Sink {
    /** A short name for plans, metrics and errors, e.g. {@code "print"}. */
    String name();

    /**
     * Checks, when the job is built, that the sink can take batches of {@code schema}; throws
     * {@link IllegalArgumentException} naming the problem otherwise.
     */
    default void checkSchema(BatchSchema schema) {
    }

    /** The sink's parallelism, or 0 to run at its input's parallelism. */
    default int parallelism() {
        return 0;
    }

    /**
     * Whether a job restored from a checkpoint keeps the rows this sink wrote before the restore (exactly
     * once, or at least once when it sees replayed rows again); a sink that would lose them answers false,
     * and a job that checkpoints or restores with it is refused when it starts.
     */
    default boolean keepsRowsOnRestore() {
        return true;
    }

    /** The writer for subtask {@code context.subtask()}. */
    SinkWriter createWriter(BatchSchema schema, TaskContext context) throws Exception;
}
