package io.riffle.engine.connector;

import io.riffle.columnar.batch.RecordBatch;
import org.jspecify.annotations.Nullable;

/**
 * Reads one subtask's share of a {@link Source}. Called by one worker thread; must not block for long
 * (reading one batch from a local file is fine, waiting for data that may never come is not).
 */
public interface SourceReader extends AutoCloseable {
    /** {@link #watermark()}: the reader makes no watermarks, or has none yet. */
    long NO_WATERMARK = Long.MIN_VALUE + 1;
    /** {@link #watermark()}: every split of the reader is idle, so it holds back no event time downstream. */
    long IDLE = Long.MIN_VALUE;

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

    /**
     * The reader's event-time watermark after the batches returned so far (epoch milliseconds), for a source
     * that makes its own ({@link Source#eventTimeField()}): the minimum over its active splits (Kafka
     * partitions), {@link #IDLE} when all are idle, or {@link #NO_WATERMARK}. Asked after every call to
     * {@link #next()}, the ones that return null too (so that a split can turn idle without new records);
     * a value at or below the last one passed on is ignored, so it need not rise.
     */
    default long watermark() {
        return NO_WATERMARK;
    }

    /**
     * The records the last call to {@link #next()} set aside for side output {@code index} of
     * {@link Source#sideOutputs()}, or null for none. Asked after every call to {@code next()}, whatever it
     * returned; the reader owns the batch, valid until the next call to {@code next()} or {@code close()}.
     */
    default @Nullable RecordBatch sideBatch(int index) {
        return null;
    }

    @Override
    void close() throws Exception;
}
