package io.riffle.engine.expr;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The state of one evaluation: the batch being evaluated and the work batch, which holds the values of
 * compound expressions, materialized literals and copies of the fields they are computed with (a kernel
 * reads all its operands from one batch). Single-threaded, like the operator that owns it.
 */
final class Frame implements AutoCloseable {
    private final BatchSchema inputSchema;
    final RecordBatch work;
    /** The batch being evaluated; only set during an evaluation. */
    RecordBatch input;
    /** Counts evaluations, so that a value read by several expressions is computed once per batch. */
    long batchNumber;

    Frame(BatchSchema inputSchema, BatchSchema workSchema, BufferAllocator allocator, int capacity) {
        this.inputSchema = inputSchema;
        this.work = RecordBatch.allocate(workSchema, allocator, capacity);
    }

    /** Starts evaluating {@code batch}: sizes the work batch to it; returns its row count. */
    int begin(RecordBatch batch) {
        checkInput(inputSchema, batch);
        int n = batch.rowCount();
        work.ensureCapacity(n);
        work.setRowCount(n);
        input = batch;
        batchNumber++;
        return n;
    }

    /** Fails unless {@code batch} is of the schema the expressions were bound to. */
    static void checkInput(BatchSchema inputSchema, RecordBatch batch) {
        BatchSchema schema = batch.schema();
        if (schema != inputSchema && !schema.equals(inputSchema)) {
            throw new IllegalArgumentException("the expressions were bound to batches of " + inputSchema
                    + " but were given a batch of " + schema);
        }
    }

    /** Ends the evaluation: the batch is only valid during the call that handed it over. */
    void end() {
        input = null;
    }

    @Override
    public void close() {
        work.close();
    }
}
