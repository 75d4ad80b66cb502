package io.riffle.stress;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;

/**
 * Batches of one INT64 column for the stress tests. A test writes rows {@code (v, -v)} into a batch, so a
 * consumer that reads a batch whose rows are not exactly that pair has read a stale or torn batch.
 */
final class StressBatches {
    /** Shared by every test state of a fork: each state frees its batches in its arbiter. */
    private static final BufferAllocator ALLOCATOR = new RootAllocator();
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("v", ColumnType.INT64));

    /** What {@link #read} answers for a batch that does not hold a written pair. */
    static final long TORN = 0;

    private StressBatches() {
    }

    /** An empty batch with room for the two rows of a pair. */
    static RecordBatch allocate() {
        return RecordBatch.allocate(SCHEMA, ALLOCATOR, 2);
    }

    /** Writes the pair {@code (v, -v)} into {@code batch}, {@code v > 0}. */
    static void write(RecordBatch batch, long v) {
        BigIntVector column = batch.int64(0);
        column.set(0, v);
        column.set(1, -v);
        batch.setRowCount(2);
    }

    /** The {@code v} of the pair in {@code batch}, or {@link #TORN} when it does not hold a whole pair. */
    static long read(RecordBatch batch) {
        if (batch == null || batch.rowCount() != 2) {
            return TORN;
        }
        BigIntVector column = batch.int64(0);
        if (column.isNull(0) || column.isNull(1)) {
            return TORN;
        }
        long v = column.get(0);
        return v > 0 && column.get(1) == -v ? v : TORN;
    }
}
