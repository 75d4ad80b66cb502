package io.riffle.engine.internal.operator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorMetrics;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TimeStampMilliVector;

/**
 * The event-time interval join of two keyed inputs: a left row {@code l} and a right row {@code r} with
 * equal keys make one output row when {@code l.time + lower <= r.time <= l.time + upper}. Each input's rows
 * are kept in a {@link JoinBuffer}; a batch from one input is hashed, looked up in the other's segments at
 * once and the pairs in the interval, collected as row indexes, are gathered column by column into output
 * batches; then its rows join its own buffer. A pair is emitted when its second row arrives, so a row the
 * watermark has passed ({@code time <= watermark}) is late: dropped and counted. A left row is let go of
 * once {@code time + upper <= watermark}, a right one once {@code time - lower <= watermark}: no row still to
 * come can match it. Output: the left columns, the right ones but the key ({@code right_} before a name
 * taken), then the pair's time, the later of the two, which is above the watermark it is emitted under.
 * Checkpoints write the rows still in use by key group ({@link JoinState}).
 */
public final class IntervalJoinOperator extends Operator {
    private final BatchSchema[] schemas;
    private final int[] keys;
    private final int[][] keyColumn;
    private final int[] times;
    private final long lower;
    private final long upper;
    private final long budgetBytes;
    private final BatchSchema outputSchema;
    private final int[] rightColumns;
    private final JoinBuffer[] buffers = new JoinBuffer[2];
    /** Per input, where a batch's rows that are not late are gathered. */
    private final RecordBatch[] kept = new RecordBatch[2];
    private final SelectionVector keep = new SelectionVector(1024);
    private SelectionVector leftRows;
    private SelectionVector rightRows;
    private long[] hashes = new long[1024];
    private int[] groups = new int[1024];
    private BufferAllocator allocator;
    private int batchSize;
    private long watermark = Long.MIN_VALUE;
    private OperatorMetrics metrics;
    private int subtask;
    private int parallelism;
    private int maxParallelism;

    public IntervalJoinOperator(BatchSchema leftSchema, BatchSchema rightSchema, int leftKey, int rightKey,
                                int leftTime, int rightTime, long lower, long upper, long budgetBytes) {
        this.schemas = new BatchSchema[] {leftSchema, rightSchema};
        this.keys = new int[] {leftKey, rightKey};
        this.keyColumn = new int[][] {{leftKey}, {rightKey}};
        this.times = new int[] {leftTime, rightTime};
        this.lower = lower;
        this.upper = upper;
        this.budgetBytes = budgetBytes;
        this.outputSchema = outputSchema(leftSchema, rightSchema, rightKey);
        this.rightColumns = new int[rightSchema.columnCount() - 1];
        for (int c = 0, k = 0; c < rightSchema.columnCount(); c++) {
            if (c != rightKey) {
                rightColumns[k++] = c;
            }
        }
    }

    /** The batch join's columns ({@link HashJoinOperator#outputSchema}), then {@code join_time}. */
    public static BatchSchema outputSchema(BatchSchema left, BatchSchema right, int rightKey) {
        BatchSchema joined = HashJoinOperator.outputSchema(left, right, rightKey, false);
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < joined.columnCount(); c++) {
            columns.add(joined.column(c));
        }
        columns.add(Column.of(freeName(joined, "join_time"), ColumnType.TIMESTAMP_MS));
        return BatchSchema.of(columns);
    }

    /** {@code name}, or with a {@code right_} prefix (again) until no column of {@code schema} has it. */
    static String freeName(BatchSchema schema, String name) {
        String free = name;
        while (StreamJoins.hasField(schema, free)) {
            free = "right_" + free;
        }
        return free;
    }

    @Override
    public void open(TaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        maxParallelism = context instanceof SubtaskContext s ? s.maxParallelism() : KeyGroups.MAX_KEY_GROUPS;
        metrics = context instanceof SubtaskContext s ? s.metrics() : null;
        for (int input = 0; input < 2; input++) {
            buffers[input] = new JoinBuffer(schemas[input], keys[input], times[input], allocator, budgetBytes);
            kept[input] = RecordBatch.allocate(schemas[input], allocator, batchSize);
        }
        leftRows = new SelectionVector(batchSize);
        rightRows = new SelectionVector(batchSize);
    }

    @Override
    public void process(RecordBatch batch, Output out) {
        throw new IllegalStateException("an interval join is told which input a batch comes from");
    }

    @Override
    public void process(int input, RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        StreamJoins.checkNotNull(batch, schemas[input], keys[input], times[input], input, "an interval join");
        JoinBuffer own = buffers[input];
        RecordBatch rows = batch;
        int onTime = own.selectLive(batch, watermark, keep);
        if (onTime < n) {
            if (metrics != null) {
                metrics.addDropped(subtask, n - onTime);
            }
            if (onTime == 0) {
                return;
            }
            GatherKernel.gather(batch, keep, kept[input]);
            rows = kept[input];
        }
        probe(input, rows, out);
        own.add(rows);
    }

    /** Emits the pairs of {@code rows} (of input {@code input}) with the other input's rows in the interval. */
    private void probe(int input, RecordBatch rows, Output out) throws Exception {
        int n = rows.rowCount();
        if (hashes.length < n) {
            hashes = new long[n];
            groups = new int[n];
        }
        HashKernel.hash(rows, keyColumn[input], hashes);
        JoinBuffer other = buffers[1 - input];
        ArrowBuf probeTimes = rows.vector(times[input]).getDataBuffer();
        SelectionVector probeRows = input == 0 ? leftRows : rightRows;
        SelectionVector storedRows = input == 0 ? rightRows : leftRows;
        int[] probed = probeRows.rows();
        int[] stored = storedRows.rows();
        // The interval as seen from the probing row: stored time - probe time within [from, to].
        long from = input == 0 ? lower : -upper;
        long to = input == 0 ? upper : -lower;
        for (int s = 0; s < other.segmentCount(); s++) {
            KeyedRows segment = other.segment(s).rows;
            segment.find(rows.vector(keys[input]), n, hashes, groups);
            RecordBatch segmentRows = segment.rows();
            ArrowBuf storedTimes = segmentRows.vector(times[1 - input]).getDataBuffer();
            int count = 0;
            for (int i = 0; i < n; i++) {
                int g = groups[i];
                if (g < 0) {
                    continue;
                }
                long t = probeTimes.getLong((long) i * Long.BYTES);
                for (int row = segment.last(g); row != KeyedRows.NO_ROW; row = segment.previous(row)) {
                    long d = storedTimes.getLong((long) row * Long.BYTES) - t;
                    if (d >= from && d <= to) {
                        probed[count] = i;
                        stored[count++] = row;
                        if (count == batchSize) {
                            emit(input == 0 ? rows : segmentRows, input == 0 ? segmentRows : rows, count, out);
                            count = 0;
                        }
                    }
                }
            }
            emit(input == 0 ? rows : segmentRows, input == 0 ? segmentRows : rows, count, out);
        }
    }

    /** One output batch of the first {@code count} pairs: {@link #leftRows} of {@code left}, {@link #rightRows} of {@code right}. */
    private void emit(RecordBatch left, RecordBatch right, int count, Output out) throws Exception {
        if (count == 0) {
            return;
        }
        leftRows.setSize(count);
        rightRows.setSize(count);
        int leftColumns = schemas[0].columnCount();
        try (RecordBatch result = RecordBatch.allocate(outputSchema, allocator, count)) {
            for (int c = 0; c < leftColumns; c++) {
                GatherKernel.gatherColumn(left, c, leftRows, result, c);
            }
            for (int k = 0; k < rightColumns.length; k++) {
                GatherKernel.gatherColumn(right, rightColumns[k], rightRows, result, leftColumns + k);
            }
            ArrowBuf leftTimes = left.vector(times[0]).getDataBuffer();
            ArrowBuf rightTimes = right.vector(times[1]).getDataBuffer();
            TimeStampMilliVector joinTime = (TimeStampMilliVector) result.vector(outputSchema.columnCount() - 1);
            int[] l = leftRows.rows();
            int[] r = rightRows.rows();
            for (int i = 0; i < count; i++) {
                joinTime.set(i, Math.max(leftTimes.getLong((long) l[i] * Long.BYTES),
                        rightTimes.getLong((long) r[i] * Long.BYTES)));
            }
            result.setRowCount(count);
            out.emit(result);
        }
    }

    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark > this.watermark) {
            this.watermark = watermark;
            buffers[0].evict(leftDeadThrough());
            buffers[1].evict(rightDeadThrough());
        }
        out.emitWatermark(watermark);
    }

    /** Left rows at or below this time can match no right row still to come (those are above the watermark). */
    private long leftDeadThrough() {
        return StreamJoins.saturatedAdd(watermark, -upper);
    }

    private long rightDeadThrough() {
        return StreamJoins.saturatedAdd(watermark, lower);
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        JoinBuffer.Snapshot[] sides = {buffers[0].snapshot(leftDeadThrough()), buffers[1].snapshot(rightDeadThrough())};
        long at = watermark;
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws Exception {
                return JoinState.write(file, at, subtask, parallelism, maxParallelism, sides, allocator);
            }

            @Override
            public void close() {
                sides[0].close();
                sides[1].close();
            }
        };
    }

    /**
     * This subtask's key groups of both inputs' rows out of every old subtask's file; the watermark is the
     * lowest of the old subtasks' whose key groups it took, so no row is taken for late that was not.
     */
    @Override
    public void restoreState(StateRestore restore) throws Exception {
        List<JoinState.Header> old = StreamJoins.restore(restore, buffers, allocator);
        if (!old.isEmpty()) {
            watermark = Long.MAX_VALUE;
            for (JoinState.Header h : old) {
                watermark = Math.min(watermark, h.watermark());
            }
        }
    }

    @Override
    public void close() {
        for (int input = 0; input < 2; input++) {
            if (buffers[input] != null) {
                buffers[input].close();
            }
            if (kept[input] != null) {
                kept[input].close();
            }
        }
    }
}
