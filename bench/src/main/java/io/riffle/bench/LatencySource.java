package io.riffle.bench;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.vector.BigIntVector;

/**
 * L1's paced source: record {@code i} of a {@link PacedSchedule}'s records is
 * {@code (key = i mod keys, value = i, scheduled_ns = epoch + i * 1e9 / rate)}, and it is read no sooner
 * than {@code scheduled_ns}. Subtask {@code s} of {@code p} reads records {@code s, s + p, s + 2p, ...},
 * so each subtask paces its share at {@code rate / p} and together they pace the schedule. Each poll
 * returns every record of the share whose time has come (up to the batch size), so batches are as small
 * as the pace and the poll loop make them, and a reader that fell behind catches up in full batches.
 * Rewindable: a reader's position is the next index and the stride of each share it has left.
 *
 * <pre>{@code
 * PacedSchedule schedule = new PacedSchedule(1_000_000, 60_000_000);
 * RiffleLatency.runningSum(env.fromSource(new LatencySource(schedule, 1_000))).forEachBatch(...);
 * }</pre>
 *
 * One source per job: its schedule's epoch is fixed by the first poll of any of its readers.
 */
public final class LatencySource implements Source {
    public static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("scheduled_ns", ColumnType.INT64));
    private static final int SHARE_BYTES = 16;

    private final PacedSchedule schedule;
    private final long keys;

    public LatencySource(PacedSchedule schedule, long keys) {
        if (keys < 1) {
            throw new IllegalArgumentException("a latency source needs at least 1 key, not " + keys);
        }
        this.schedule = schedule;
        this.keys = keys;
    }

    @Override
    public String name() {
        return "paced(" + schedule.records() + " records at " + schedule.recordsPerSecond() + "/s, " + keys
                + " keys)";
    }

    @Override
    public BatchSchema schema() {
        return SCHEMA;
    }

    @Override
    public SourceReader createReader(TaskContext context) {
        return new Reader(context, new long[] {context.subtask()}, new long[] {context.parallelism()});
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    /** Joins the shares of every position into one reader, which reads them in index order. */
    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) {
        List<long[]> shares = new ArrayList<>();
        for (byte[] position : positions) {
            if (position.length % SHARE_BYTES != 0) {
                throw new IllegalArgumentException("source '" + name() + "': a position of " + position.length
                        + " bytes is not a list of (next index, stride) pairs");
            }
            ByteBuffer in = ByteBuffer.wrap(position);
            while (in.hasRemaining()) {
                long next = in.getLong();
                long stride = in.getLong();
                if (next < 0 || stride < 1) {
                    throw new IllegalArgumentException("source '" + name() + "': a share from index " + next
                            + " with stride " + stride + " is not one this source wrote");
                }
                shares.add(new long[] {next, stride});
            }
        }
        long[] next = new long[shares.size()];
        long[] stride = new long[shares.size()];
        for (int i = 0; i < next.length; i++) {
            next[i] = shares.get(i)[0];
            stride[i] = shares.get(i)[1];
        }
        return new Reader(context, next, stride);
    }

    /** One subtask's shares: the indexes {@code next[j], next[j] + stride[j], ...} below the record count. */
    private final class Reader implements SourceReader {
        private final long[] next;
        private final long[] stride;
        private final long records = schedule.records();
        private final int batchSize;
        private final RecordBatch batch;
        private final BigIntVector keyVector;
        private final BigIntVector valueVector;
        private final BigIntVector scheduledVector;
        private boolean started;
        private long epoch;

        Reader(TaskContext context, long[] next, long[] stride) {
            this.next = next;
            this.stride = stride;
            this.batchSize = context.batchSize();
            this.batch = RecordBatch.allocate(SCHEMA, context.allocator(), batchSize);
            this.keyVector = batch.int64(0);
            this.valueVector = batch.int64(1);
            this.scheduledVector = batch.int64(2);
        }

        @Override
        public RecordBatch next() {
            int share = lowestShare();
            if (share < 0) {
                return null;
            }
            if (!started) {
                epoch = schedule.start();
                started = true;
            }
            long now = System.nanoTime();
            int n = 0;
            while (share >= 0 && n < batchSize) {
                long i = next[share];
                long due = epoch + schedule.offsetNanos(i);
                // Compared as a difference: nanoTime values may wrap.
                if (due - now > 0) {
                    break;
                }
                keyVector.set(n, i % keys);
                valueVector.set(n, i);
                scheduledVector.set(n, due);
                next[share] = i + stride[share];
                n++;
                share = lowestShare();
            }
            if (share < 0) {
                schedule.finished(now);
            }
            if (n == 0) {
                return null;
            }
            batch.setRowCount(n);
            return batch;
        }

        /** The share with the lowest next index, so joined shares interleave as their subtasks did; -1 when all are read. */
        private int lowestShare() {
            int lowest = -1;
            for (int j = 0; j < next.length; j++) {
                if (next[j] < records && (lowest < 0 || next[j] < next[lowest])) {
                    lowest = j;
                }
            }
            return lowest;
        }

        @Override
        public boolean isFinished() {
            return lowestShare() < 0;
        }

        @Override
        public byte[] position() {
            int left = 0;
            for (int j = 0; j < next.length; j++) {
                left += next[j] < records ? 1 : 0;
            }
            ByteBuffer out = ByteBuffer.allocate(left * SHARE_BYTES);
            for (int j = 0; j < next.length; j++) {
                if (next[j] < records) {
                    out.putLong(next[j]).putLong(stride[j]);
                }
            }
            return out.array();
        }

        @Override
        public void close() {
            batch.close();
        }
    }
}
