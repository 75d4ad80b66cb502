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
 * The event-time window join of two keyed inputs: a left and a right row with equal keys in the same
 * window ({@code size} long, starting at every multiple of {@code slide}; tumbling when they are equal)
 * make one output row when the watermark reaches the window's last millisecond. Both inputs' rows are kept
 * in {@link JoinBuffer}s. When the watermark advances, the left rows that may be in a window it closes are
 * gathered into one batch, hashed and looked up in the right input's segments at once; each pair sharing a
 * window it closes is collected as row indexes and gathered column by column into output batches. Rows
 * whose every window has fired are let go of; a row that arrives after that is late: dropped and counted.
 * Output: the left columns, the right ones but the key ({@code right_} before a name taken), then
 * {@code window_start} and {@code window_end}. Checkpoints write the rows still in use by key group
 * ({@link JoinState}); after a rescaled restore a window is emitted only for the key groups whose old
 * subtask had not fired it.
 */
public final class WindowJoinOperator extends Operator {
    private final BatchSchema[] schemas;
    private final int[] keys;
    private final int[] times;
    private final int[] leftKeyColumn;
    private final long size;
    private final long slide;
    private final long budgetBytes;
    private final BatchSchema outputSchema;
    private final int[] rightColumns;
    private final JoinBuffer[] buffers = new JoinBuffer[2];
    private final RecordBatch[] kept = new RecordBatch[2];
    private final SelectionVector keep = new SelectionVector(1024);
    private final SelectionVector due = new SelectionVector(1024);
    private SelectionVector leftRows;
    private SelectionVector rightRows;
    private long[] windowStarts;
    private long[] hashes = new long[1024];
    private int[] groups = new int[1024];
    private BufferAllocator allocator;
    private int batchSize;
    private long watermark = Long.MIN_VALUE;
    private OperatorMetrics metrics;
    private int subtask;
    private int parallelism;
    private int maxParallelism;
    /** After a rescaled restore: per key group of this subtask, the watermark its old subtask had fired up to; else null. */
    private long[] firedThroughByKeyGroup;
    private long highestFiredThrough;
    private int firstKeyGroup;

    public WindowJoinOperator(BatchSchema leftSchema, BatchSchema rightSchema, int leftKey, int rightKey,
                              int leftTime, int rightTime, long size, long slide, long budgetBytes) {
        this.schemas = new BatchSchema[] {leftSchema, rightSchema};
        this.keys = new int[] {leftKey, rightKey};
        this.times = new int[] {leftTime, rightTime};
        this.leftKeyColumn = new int[] {leftKey};
        this.size = size;
        this.slide = slide;
        this.budgetBytes = budgetBytes;
        this.outputSchema = outputSchema(leftSchema, rightSchema, rightKey);
        this.rightColumns = new int[rightSchema.columnCount() - 1];
        for (int c = 0, k = 0; c < rightSchema.columnCount(); c++) {
            if (c != rightKey) {
                rightColumns[k++] = c;
            }
        }
    }

    /** The batch join's columns ({@link HashJoinOperator#outputSchema}), then {@code window_start, window_end}. */
    public static BatchSchema outputSchema(BatchSchema left, BatchSchema right, int rightKey) {
        BatchSchema joined = HashJoinOperator.outputSchema(left, right, rightKey, false);
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < joined.columnCount(); c++) {
            columns.add(joined.column(c));
        }
        columns.add(Column.of(IntervalJoinOperator.freeName(joined, "window_start"), ColumnType.TIMESTAMP_MS));
        columns.add(Column.of(IntervalJoinOperator.freeName(joined, "window_end"), ColumnType.TIMESTAMP_MS));
        return BatchSchema.of(columns);
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
        windowStarts = new long[batchSize];
    }

    @Override
    public void process(RecordBatch batch, Output out) {
        throw new IllegalStateException("a window join is told which input a batch comes from");
    }

    @Override
    public void process(int input, RecordBatch batch, Output out) {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        StreamJoins.checkNotNull(batch, schemas[input], keys[input], times[input], input, "a window join");
        int onTime = buffers[input].selectLive(batch, firedThrough(watermark), keep);
        if (onTime == n) {
            buffers[input].add(batch);
            return;
        }
        if (metrics != null) {
            metrics.addDropped(subtask, n - onTime);
        }
        if (onTime > 0) {
            GatherKernel.gather(batch, keep, kept[input]);
            buffers[input].add(kept[input]);
        }
    }

    /** The highest time whose every window ends by {@code watermark + 1}, i.e. has fired at that watermark. */
    private long firedThrough(long watermark) {
        if (watermark == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long lastStart = StreamJoins.saturatedAdd(watermark, 1 - size);
        if (lastStart == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        return lastStart - Math.floorMod(lastStart, slide) + slide - 1;
    }

    /** Fires the windows whose last millisecond is in {@code (this.watermark, watermark]}, then lets go of their rows. */
    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark > this.watermark) {
            fire(this.watermark, watermark, out);
            this.watermark = watermark;
            if (firedThroughByKeyGroup != null && watermark >= highestFiredThrough) {
                firedThroughByKeyGroup = null;
            }
            long dead = firedThrough(watermark);
            buffers[0].evict(dead);
            buffers[1].evict(dead);
        }
        out.emitWatermark(watermark);
    }

    private void fire(long from, long to, Output out) throws Exception {
        long firedBefore = firedThrough(from);
        JoinBuffer left = buffers[0];
        for (int s = 0; s < left.segmentCount(); s++) {
            JoinBuffer.Segment segment = left.segment(s);
            if (segment.minTime > to || segment.maxTime <= firedBefore) {
                continue;
            }
            RecordBatch rows = segment.rows.rows();
            int n = selectDue(rows, firedBefore, to);
            if (n == 0) {
                continue;
            }
            try (RecordBatch probe = GatherKernel.gather(rows, due, allocator)) {
                probe(probe, firedBefore, from, to, out);
            }
        }
    }

    /** Selects into {@link #due} the left rows with a time in {@code (firedBefore, to]}: those a window closing now may hold. */
    private int selectDue(RecordBatch rows, long firedBefore, long to) {
        int n = rows.rowCount();
        due.ensureCapacity(n);
        int[] selected = due.rows();
        ArrowBuf t = rows.vector(times[0]).getDataBuffer();
        int count = 0;
        for (int i = 0; i < n; i++) {
            long time = t.getLong((long) i * Long.BYTES);
            if (time > firedBefore && time <= to) {
                selected[count++] = i;
            }
        }
        due.setSize(count);
        return count;
    }

    /** Emits each pair of a {@code probe} row and a right row sharing a window whose last millisecond is in {@code (from, to]}. */
    private void probe(RecordBatch probe, long firedBefore, long from, long to, Output out) throws Exception {
        int n = probe.rowCount();
        if (hashes.length < n) {
            hashes = new long[n];
            groups = new int[n];
        }
        HashKernel.hash(probe, leftKeyColumn, hashes);
        ArrowBuf leftTimes = probe.vector(times[0]).getDataBuffer();
        int[] l = leftRows.rows();
        int[] r = rightRows.rows();
        JoinBuffer right = buffers[1];
        for (int s = 0; s < right.segmentCount(); s++) {
            JoinBuffer.Segment segment = right.segment(s);
            if (segment.minTime > to || segment.maxTime <= firedBefore) {
                continue;
            }
            segment.rows.find(probe.vector(keys[0]), n, hashes, groups);
            RecordBatch stored = segment.rows.rows();
            ArrowBuf rightTimes = stored.vector(times[1]).getDataBuffer();
            int count = 0;
            for (int i = 0; i < n; i++) {
                int g = groups[i];
                if (g < 0) {
                    continue;
                }
                long a = leftTimes.getLong((long) i * Long.BYTES);
                long firedForKey = firedThroughByKeyGroup == null ? from
                        : Math.max(from, firedThroughByKeyGroup[KeyGroups.keyGroup(hashes[i], maxParallelism) - firstKeyGroup]);
                for (int row = segment.rows.last(g); row != KeyedRows.NO_ROW; row = segment.rows.previous(row)) {
                    long b = rightTimes.getLong((long) row * Long.BYTES);
                    long early = Math.min(a, b);
                    long late = Math.max(a, b);
                    // The windows holding both: starts at multiples of slide in (late - size, early].
                    for (long start = early - Math.floorMod(early, slide); start > late - size; start -= slide) {
                        long last = start + size - 1;
                        if (last > firedForKey && last <= to) {
                            l[count] = i;
                            r[count] = row;
                            windowStarts[count++] = start;
                            if (count == batchSize) {
                                emit(probe, stored, count, out);
                                count = 0;
                            }
                        }
                    }
                }
            }
            emit(probe, stored, count, out);
        }
    }

    /** One output batch of the first {@code count} pairs and their windows. */
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
            TimeStampMilliVector starts = (TimeStampMilliVector) result.vector(outputSchema.columnCount() - 2);
            TimeStampMilliVector ends = (TimeStampMilliVector) result.vector(outputSchema.columnCount() - 1);
            for (int i = 0; i < count; i++) {
                starts.set(i, windowStarts[i]);
                ends.set(i, windowStarts[i] + size);
            }
            result.setRowCount(count);
            out.emit(result);
        }
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        long dead = firedThrough(watermark);
        JoinBuffer.Snapshot[] sides = {buffers[0].snapshot(dead), buffers[1].snapshot(dead)};
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
     * This subtask's key groups of both inputs' rows out of every old subtask's file. The watermark is the
     * lowest of the old subtasks'; when they differ, each key group keeps its old subtask's, so that no
     * window is emitted twice for a key.
     */
    @Override
    public void restoreState(StateRestore restore) throws Exception {
        List<JoinState.Header> old = StreamJoins.restore(restore, buffers, allocator);
        if (old.isEmpty()) {
            return;
        }
        firstKeyGroup = restore.firstKeyGroup();
        long[] marks = new long[restore.lastKeyGroupExclusive() - firstKeyGroup];
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (JoinState.Header h : old) {
            int from = Math.max(firstKeyGroup, h.firstKeyGroup());
            int to = Math.min(restore.lastKeyGroupExclusive(), h.lastKeyGroupExclusive());
            for (int g = from; g < to; g++) {
                marks[g - firstKeyGroup] = h.watermark();
            }
            lowest = Math.min(lowest, h.watermark());
            highest = Math.max(highest, h.watermark());
        }
        watermark = lowest;
        if (highest > lowest) {
            firedThroughByKeyGroup = marks;
            highestFiredThrough = highest;
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
