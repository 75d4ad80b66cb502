package io.riffle.engine.connector;

import io.riffle.columnar.batch.RecordBatch;

/**
 * Reads one subtask's share of a {@link Source}. Called by one worker thread; must not block for long
 * (reading one batch from a local file is fine, waiting for data that may never come is not).
 */
public interface SourceReader extends AutoCloseable {
    /**
     * The next batch, or null when none is ready now or the input has ended ({@link #isFinished()}). The
     * reader owns the batch; it must stay valid until the next call to {@code next} or {@code close}.
     */
    RecordBatch next() throws Exception;

    /** True once every batch has been returned. */
    boolean isFinished();

    /**
     * Where the reader is: a reader restored from these bytes ({@link Source#restoreReader}) returns
     * exactly the records after the last batch this one returned. Only asked of rewindable sources, between
     * two calls to {@link #next()}.
     */
    default byte[] position() {
        throw new UnsupportedOperationException("this reader cannot say where it is");
    }

    @Override
    void close() throws Exception;
}
