package io.riffle.engine.connector;

import io.riffle.columnar.batch.RecordBatch;

/** Writes one subtask's results. Called by one worker thread. */
public interface SinkWriter extends AutoCloseable {
    /** Takes the rows of {@code batch}; the batch is only valid during the call (copy what you keep). */
    void write(RecordBatch batch) throws Exception;

    /** The input has ended: flush and commit everything written. */
    void finish() throws Exception;

    /** Frees the writer's resources; called after {@link #finish()}, or instead of it when the job failed. */
    @Override
    void close() throws Exception;
}
