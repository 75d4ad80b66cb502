package io.riffle.engine.internal.runtime;

import io.riffle.columnar.batch.RecordBatch;

/** Where an operator's results go: the next operator of its chain, or the channels to the next subtasks. */
public interface Output {
    /** Takes {@code batch} (dense, no selection), which stays the caller's: copy what you keep. */
    void emit(RecordBatch batch) throws Exception;

    /**
     * Passes on event-time progress: no later record will have a timestamp at or below {@code watermark}
     * ({@link Watermark#MAX} at end of input), or {@link Watermark#IDLE}: this stream has nothing for now
     * and must not hold back its consumers' watermarks until it sends a record or a watermark again.
     */
    void emitWatermark(long watermark) throws Exception;

    /**
     * Takes {@code batch} (as {@link #emit}) for side output {@code index} of the operator with transformation
     * id {@code operator}: it passes the rest of the chain untouched and only that output's edges take it.
     */
    default void emitSide(int operator, int index, RecordBatch batch) throws Exception {
    }
}
