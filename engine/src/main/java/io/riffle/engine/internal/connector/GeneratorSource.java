package io.riffle.engine.internal.connector;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The workloads' deterministic data: record {@code i} of {@code 0 .. records - 1} has key
 * {@code i mod keys}, value {@code i} and timestamp {@code i} ms. Subtask {@code s} of {@code p} generates
 * records {@code s, s + p, s + 2p, ...}, so all subtasks move through event time together, written
 * straight into the vectors of one batch it reuses. Rewindable: a reader's position is the index ranges
 * it has left.
 */
public final class GeneratorSource extends IndexedSource {
    public static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("timestamp", ColumnType.TIMESTAMP_MS));

    private final long records;
    private final long keys;
    private final long recordsPerSecond;

    public GeneratorSource(long records, long keys) {
        this(records, keys, 0);
    }

    /** Paced: at most {@code recordsPerSecond} records a second over all subtasks (0: as fast as it goes). */
    public GeneratorSource(long records, long keys, long recordsPerSecond) {
        if (records < 0) {
            throw new IllegalArgumentException("a generator needs a record count of at least 0, not " + records);
        }
        if (keys < 1) {
            throw new IllegalArgumentException("a generator needs at least 1 key, not " + keys);
        }
        if (recordsPerSecond < 0) {
            throw new IllegalArgumentException("a generator's rate must not be negative: " + recordsPerSecond);
        }
        this.records = records;
        this.keys = keys;
        this.recordsPerSecond = recordsPerSecond;
    }

    @Override
    public String name() {
        return "generate(" + records + " records, " + keys + " keys)";
    }

    @Override
    public BatchSchema schema() {
        return SCHEMA;
    }

    @Override
    long recordCount() {
        return records;
    }

    @Override
    SourceReader reader(TaskContext context, IndexRanges left) {
        return new Reader(context, left);
    }

    private final class Reader extends IndexRangeReader {
        /** This subtask's share of the rate, records per second; 0 when not paced. */
        private final double rate;
        private final long startNanos = System.nanoTime();
        private long emitted;

        Reader(TaskContext context, IndexRanges left) {
            super(context, SCHEMA, left);
            this.rate = (double) recordsPerSecond / context.parallelism();
        }

        /** Paced: no more records than the rate allows by now; 0 (not finished) lets the worker idle. */
        @Override
        int allowed(int available) {
            int n = available;
            if (rate > 0) {
                n = (int) Math.min(n, (long) ((System.nanoTime() - startNanos) * rate / 1e9) - emitted);
            }
            if (n > 0) {
                emitted += n;
            }
            return n;
        }

        @Override
        void fill(long first, long step, int n, int row) {
            long keyData = batch.vector(0).getDataBufferAddress();
            long valueData = batch.vector(1).getDataBufferAddress();
            long timeData = batch.vector(2).getDataBufferAddress();
            long i = first;
            long k = i % keys;
            long keyStep = step % keys;
            for (int r = row; r < row + n; r++, i += step) {
                long at = (long) r << 3;
                MemoryUtil.putLong(keyData + at, k);
                MemoryUtil.putLong(valueData + at, i);
                MemoryUtil.putLong(timeData + at, i);
                k += keyStep;
                if (k >= keys) {
                    k -= keys;
                }
            }
            for (int c = 0; c < 3; c++) {
                MemoryUtil.setMemory(batch.vector(c).getValidityBufferAddress(), (row + n + 7) >>> 3, (byte) 0xFF);
            }
        }
    }
}
