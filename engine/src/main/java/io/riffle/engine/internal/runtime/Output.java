package io.riffle.engine.internal.runtime;

import io.riffle.columnar.batch.RecordBatch;

/** Where an operator's results go: the next operator of its chain, or the channels to the next subtasks. */
public interface Output {
    /** Takes {@code batch} (dense, no selection), which stays the caller's: copy what you keep. */
    void emit(RecordBatch batch) throws Exception;
}
