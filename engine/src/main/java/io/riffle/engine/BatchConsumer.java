package io.riffle.engine;

import io.riffle.columnar.batch.RecordBatch;

/**
 * A sink callback that receives result batches, for embedding without a row per record. Called from the
 * sink's worker thread (one thread per sink subtask, so concurrently when the sink's parallelism is above
 * one); the batch is valid only during the call.
 */
@FunctionalInterface
public interface BatchConsumer {
    void accept(RecordBatch batch) throws Exception;
}
