package io.riffle.engine.internal.operator;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import org.apache.arrow.memory.util.MemoryUtil;
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
public final class WindowJoinOperator extends StreamJoinOperator {
    private final WindowSpec windows;
    private final long size;
    private final long slide;
    private final SelectionVector due = new SelectionVector(1024);
    /** Per pair being collected, its window's start. */
    private long[] windowStarts;
    private final RestoredWatermarks restored = new RestoredWatermarks();

    /** Joins the rows of a key in the same window of {@code windows} (its offset and allowed lateness unused: 0). */
    public WindowJoinOperator(JoinInput left, JoinInput right, WindowSpec windows, long budgetBytes) {
        super("a window join", left, right, outputSchema(left.schema(), right.schema(), right.keyField()),
                Math.max(1, windows.size() / 4), budgetBytes);
        if (windows.offset() != 0 || windows.allowedLateness() != 0) {
            throw new IllegalArgumentException("a window join's windows start at multiples of the slide and allow no"
                    + " lateness, not offset " + windows.offset() + " ms and lateness " + windows.allowedLateness() + " ms");
        }
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
    }

    /** The batch join's columns ({@link HashJoinOperator#outputSchema}), then {@code window_start, window_end}. */
    public static BatchSchema outputSchema(BatchSchema left, BatchSchema right, int rightKey) {
        return StreamJoinOperator.outputSchema(left, right, rightKey, "window_start", "window_end");
    }

    @Override
    public void open(SubtaskContext context) {
        super.open(context);
        windowStarts = new long[batchSize];
    }

    @Override
    public void process(int input, RecordBatch batch, Output out) {
        if (batch.rowCount() == 0) {
            return;
        }
        RecordBatch rows = onTime(input, batch, windows.expiredThrough(watermark));
        if (rows != null) {
            buffers[input].add(rows);
        }
    }

    /**
     * With a slide longer than the size, a row between windows is in none: it is not kept, and counts as late
     * only when at or below the watermark, as Flink's window operator counts a record no window took.
     */
    @Override
    int selectOnTime(int input, RecordBatch batch, long lateThrough, SelectionVector keep) {
        if (slide <= size) {
            return super.selectOnTime(input, batch, lateThrough, keep);
        }
        int n = batch.rowCount();
        keep.ensureCapacity(n);
        int[] kept = keep.rows();
        long data = batch.vector(times[input].index()).getDataBufferAddress();
        long offset = times[input].offsetMillis();
        int count = 0;
        int late = 0;
        for (int i = 0; i < n; i++) {
            long t = MemoryUtil.getLong(data + ((long) i << 3)) + offset;
            boolean inWindow = windows.inWindow(t);
            if (inWindow && t > lateThrough) {
                kept[count++] = i;
            } else if (inWindow || t <= watermark) {
                late++;
            }
        }
        keep.setSize(count);
        return late;
    }

    /** Fires the windows whose last millisecond is in {@code (this.watermark, watermark]}, then lets go of their rows. */
    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark > this.watermark) {
            fire(this.watermark, watermark, out);
            this.watermark = watermark;
            restored.advance(watermark);
            long dead = windows.expiredThrough(watermark);
            buffers[0].evict(dead);
            buffers[1].evict(dead);
        }
        out.emitWatermark(watermark);
    }

    private void fire(long from, long to, Output out) throws Exception {
        // The first window not fired yet: its start is the lowest multiple of slide with start + size - 1 > from.
        long next = saturatedAdd(from, 2 - size);
        if (next != Long.MIN_VALUE && saturatedAdd(next + Math.floorMod(-next, slide), size - 1) > to) {
            return;
        }
        long firedBefore = windows.expiredThrough(from);
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
        long t = rows.vector(times[0].index()).getDataBufferAddress();
        long offset = times[0].offsetMillis();
        int count = 0;
        for (int i = 0; i < n; i++) {
            long time = MemoryUtil.getLong(t + ((long) i << 3)) + offset;
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
        ensureScratch(n);
        HashKernel.hash(probe, keyColumns[0], hashes);
        long leftTimes = probe.vector(times[0].index()).getDataBufferAddress();
        long leftOffset = times[0].offsetMillis();
        long rightOffset = times[1].offsetMillis();
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
            long rightTimes = stored.vector(times[1].index()).getDataBufferAddress();
            int count = 0;
            for (int i = 0; i < n; i++) {
                int g = groups[i];
                if (g < 0) {
                    continue;
                }
                long a = MemoryUtil.getLong(leftTimes + ((long) i << 3)) + leftOffset;
                long firedForKey = restored.differ()
                        ? restored.firedThrough(KeyGroups.keyGroup(hashes[i], maxParallelism), from) : from;
                // Newest first; where no row from here on is in a window with this one, stop.
                for (int row = segment.rows.last(g); row != KeyedRows.NO_ROW && segment.chainMax[row] > a - size;
                     row = segment.rows.previous(row)) {
                    long b = MemoryUtil.getLong(rightTimes + ((long) row << 3)) + rightOffset;
                    long early = Math.min(a, b);
                    long late = Math.max(a, b);
                    // The windows holding both: starts at multiples of slide in (late - size, early].
                    for (long start = windows.lastWindowStart(early); start > late - size; start -= slide) {
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
        try (RecordBatch result = RecordBatch.allocate(outputSchema, allocator, count)) {
            gatherPairs(left, right, count, result);
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

    /**
     * This subtask's key groups of both inputs' rows out of every old subtask's file. The watermark is the
     * lowest of the old subtasks'; when they differ, each key group keeps its old subtask's, so that no
     * window is emitted twice for a key.
     */
    @Override
    public void restoreState(StateRestore restore) throws Exception {
        List<JoinState.Header> old = restoreBuffers(restore);
        if (!old.isEmpty()) {
            watermark = restored.restore(old, restore.keyGroups());
        }
    }
}
