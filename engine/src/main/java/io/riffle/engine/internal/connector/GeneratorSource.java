package io.riffle.engine.internal.connector;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The workloads' deterministic data: record {@code i} of {@code 0 .. records - 1} has key
 * {@code i mod keys}, value {@code i} and timestamp {@code i} ms. Subtask {@code s} of {@code p} generates
 * the contiguous range {@code [s * records / p, (s + 1) * records / p)}, written straight into the
 * vectors of one batch it reuses.
 */
public final class GeneratorSource implements Source {
    public static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("timestamp", ColumnType.TIMESTAMP_MS));

    private final long records;
    private final long keys;

    public GeneratorSource(long records, long keys) {
        if (records < 0) {
            throw new IllegalArgumentException("a generator needs a record count of at least 0, not " + records);
        }
        if (keys < 1) {
            throw new IllegalArgumentException("a generator needs at least 1 key, not " + keys);
        }
        this.records = records;
        this.keys = keys;
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
    public SourceReader createReader(TaskContext context) {
        long from = rangeStart(context.subtask(), context.parallelism());
        long to = rangeStart(context.subtask() + 1, context.parallelism());
        return new SourceReader() {
            private final RecordBatch batch = RecordBatch.allocate(SCHEMA, context.allocator(), context.batchSize());
            private long next = from;
            private long key = from % keys;

            @Override
            public RecordBatch next() {
                if (next >= to) {
                    return null;
                }
                int n = (int) Math.min(context.batchSize(), to - next);
                batch.ensureCapacity(n);
                long keyData = batch.vector(0).getDataBufferAddress();
                long valueData = batch.vector(1).getDataBufferAddress();
                long timeData = batch.vector(2).getDataBufferAddress();
                long i = next;
                long k = key;
                for (int r = 0; r < n; r++, i++) {
                    long at = (long) r << 3;
                    MemoryUtil.putLong(keyData + at, k);
                    MemoryUtil.putLong(valueData + at, i);
                    MemoryUtil.putLong(timeData + at, i);
                    k = k + 1 == keys ? 0 : k + 1;
                }
                for (int c = 0; c < 3; c++) {
                    MemoryUtil.setMemory(batch.vector(c).getValidityBufferAddress(), (n + 7) >>> 3, (byte) 0xFF);
                }
                batch.setRowCount(n);
                next = i;
                key = k;
                return batch;
            }

            @Override
            public boolean isFinished() {
                return next >= to;
            }

            @Override
            public void close() {
                batch.close();
            }
        };
    }

    private long rangeStart(int subtask, int parallelism) {
        // records * subtask may overflow for huge counts; split the multiplication.
        return (records / parallelism) * subtask + (records % parallelism) * subtask / parallelism;
    }
}
