package io.riffle.scheduler.channel;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;

/** Batches of consecutive sequence numbers, so a consumer can check order, loss and duplicates. */
final class Batches {
    static final BatchSchema SEQ = BatchSchema.of(Column.of("seq", ColumnType.INT64));

    private Batches() {
    }

    /** Fills {@code reuse} (or a new batch when null) with {@code rows} numbers from {@code first}. */
    static RecordBatch sequence(BufferAllocator allocator, RecordBatch reuse, long first, int rows) {
        RecordBatch batch = reuse != null ? reuse : RecordBatch.allocate(SEQ, allocator, 64);
        batch.ensureCapacity(rows);
        BigIntVector v = batch.int64(0);
        for (int i = 0; i < rows; i++) {
            v.set(i, first + i);
        }
        batch.setRowCount(rows);
        return batch;
    }
}
