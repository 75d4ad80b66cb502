package io.riffle.engine.internal.connector;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;

/**
 * A reader of a generated source whose record {@code i} is a function of {@code i}: it walks its
 * {@link IndexRanges} a batch at a time into one batch it reuses, and its position is the ranges left.
 * Subclasses write the rows.
 */
abstract class IndexRangeReader implements SourceReader {
    private final IndexRanges left;
    private final int batchSize;
    final RecordBatch batch;

    IndexRangeReader(TaskContext context, BatchSchema schema, IndexRanges left) {
        this.left = left;
        this.batchSize = context.batchSize();
        this.batch = RecordBatch.allocate(schema, context.allocator(), batchSize);
    }

    @Override
    public final RecordBatch next() {
        if (left.isEmpty()) {
            return null;
        }
        int n = allowed(left.remaining(batchSize));
        if (n <= 0) {
            return null;
        }
        batch.ensureCapacity(n);
        for (int row = 0; row < n; ) {
            int run = left.run(n - row);
            fill(left.next(), left.step(), run, row);
            left.advance(run);
            row += run;
        }
        batch.setRowCount(n);
        return batch;
    }

    /** How many of the {@code available} rows to read now; a paced reader returns fewer, or 0 to idle. */
    int allowed(int available) {
        return available;
    }

    /**
     * Writes the records {@code first, first + step, ...} ({@code n} of them) into rows {@code row .. row + n - 1}
     * of {@link #batch}, whose capacity is already enough.
     */
    abstract void fill(long first, long step, int n, int row);

    @Override
    public final boolean isFinished() {
        return left.isEmpty();
    }

    @Override
    public final byte[] position() {
        return left.encode();
    }

    @Override
    public final void close() {
        batch.close();
    }
}
