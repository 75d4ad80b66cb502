package io.riffle.engine;

import java.nio.ByteBuffer;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;

/**
 * Records {@code (key: i mod keys, value: i)} for {@code i < records}, read by one subtask that stops at
 * a gate the test moves ({@link #openTo}) and says when it got there ({@link #awaitGate}): a checkpoint
 * triggered then covers exactly the records before the gate. Rewindable (the position is the next index).
 * The gate starts open unless the test closes it with {@link #openTo} before the job starts.
 */
final class GatedSource implements Source {
    static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));

    private final String name;
    private final long records;
    private final long keys;
    private long gate = Long.MAX_VALUE;
    /** The index the current reader has read up to. */
    private long read;

    GatedSource(String name, long records, long keys) {
        this.name = name;
        this.records = records;
        this.keys = keys;
    }

    /** Lets the reader go on up to record {@code index} (exclusive); {@code Long.MAX_VALUE} opens it for good. */
    synchronized void openTo(long index) {
        gate = index;
    }

    /** Waits until the reader has read every record before the gate; a job that ended first throws its cause. */
    void awaitGate(JobHandle job) throws InterruptedException {
        synchronized (this) {
            while (read < Math.min(gate, records)) {
                if (job.isDone()) {
                    break;
                }
                wait(10);
            }
            if (read >= Math.min(gate, records)) {
                return;
            }
        }
        job.await();
        throw new AssertionError("job '" + job.jobName() + "' ended before source '" + name + "' reached its gate");
    }

    private synchronized long limit() {
        return Math.min(gate, records);
    }

    private synchronized void reached(long index) {
        read = index;
        notifyAll();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatchSchema schema() {
        return SCHEMA;
    }

    @Override
    public int maxParallelism() {
        return 1;
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    @Override
    public SourceReader createReader(TaskContext context) {
        return new Reader(context, 0);
    }

    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) {
        return new Reader(context, positions.isEmpty() ? records : ByteBuffer.wrap(positions.get(0)).getLong());
    }

    private final class Reader implements SourceReader {
        private final RecordBatchBuilder builder;
        private final int batchSize;
        private long next;
        private RecordBatch current;

        Reader(TaskContext context, long from) {
            this.batchSize = context.batchSize();
            this.builder = new RecordBatchBuilder(SCHEMA, context.allocator(), batchSize);
            this.next = from;
            reached(from);
        }

        @Override
        public RecordBatch next() {
            closeCurrent();
            long end = Math.min(limit(), next + batchSize);
            if (next >= end) {
                return null;
            }
            for (; next < end; next++) {
                builder.addRow(next % keys, next);
            }
            current = builder.build();
            reached(next);
            return current;
        }

        @Override
        public boolean isFinished() {
            return next >= records;
        }

        @Override
        public byte[] position() {
            return ByteBuffer.allocate(8).putLong(next).array();
        }

        @Override
        public void close() {
            closeCurrent();
            builder.close();
        }

        private void closeCurrent() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
