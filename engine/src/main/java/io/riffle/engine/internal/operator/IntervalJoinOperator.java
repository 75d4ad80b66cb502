package io.riffle.engine.internal.operator;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import org.apache.arrow.memory.util.MemoryUtil;
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
 * taken), then {@code join_time}, the later of the pair's times: above the watermark it is emitted under,
 * so it can be the result's event time. Checkpoints write the rows still in use by key group.
 */
public final class IntervalJoinOperator extends StreamJoinOperator {
    private final long lower;
    private final long upper;

    public IntervalJoinOperator(BatchSchema leftSchema, BatchSchema rightSchema, int leftKey, int rightKey,
                                EventTimeField leftTime, EventTimeField rightTime, long lower, long upper,
                                long budgetBytes) {
        super("an interval join", leftSchema, rightSchema, leftKey, rightKey, leftTime, rightTime,
                outputSchema(leftSchema, rightSchema, rightKey), Math.max(1, saturatedAdd(upper, -lower) / 4), budgetBytes);
        this.lower = lower;
        this.upper = upper;
    }

    /** The batch join's columns ({@link HashJoinOperator#outputSchema}), then {@code join_time}. */
    public static BatchSchema outputSchema(BatchSchema left, BatchSchema right, int rightKey) {
        return StreamJoinOperator.outputSchema(left, right, rightKey, "join_time");
    }

    @Override
    public void process(int input, RecordBatch batch, Output out) throws Exception {
        if (batch.rowCount() == 0) {
            return;
        }
        RecordBatch rows = onTime(input, batch, watermark);
        if (rows != null) {
            probe(input, rows, out);
            buffers[input].add(rows);
        }
    }

    /** Emits the pairs of {@code rows} (of input {@code input}) with the other input's rows in the interval. */
    private void probe(int input, RecordBatch rows, Output out) throws Exception {
        int n = rows.rowCount();
        ensureScratch(n);
        HashKernel.hash(rows, keyColumns[input], hashes);
        JoinBuffer other = buffers[1 - input];
        long probeTimes = rows.vector(times[input].index()).getDataBufferAddress();
        long probeOffset = times[input].offsetMillis();
        long storedOffset = times[1 - input].offsetMillis();
        int[] probed = (input == 0 ? leftRows : rightRows).rows();
        int[] matched = (input == 0 ? rightRows : leftRows).rows();
        // The interval as seen from the probing row: stored time - probe time within [from, to].
        long from = input == 0 ? lower : -upper;
        long to = input == 0 ? upper : -lower;
        for (int s = 0; s < other.segmentCount(); s++) {
            JoinBuffer.Segment segment = other.segment(s);
            KeyedRows stored = segment.rows;
            stored.find(rows.vector(keys[input]), n, hashes, groups);
            RecordBatch storedRows = stored.rows();
            RecordBatch left = input == 0 ? rows : storedRows;
            RecordBatch right = input == 0 ? storedRows : rows;
            long storedTimes = storedRows.vector(times[1 - input].index()).getDataBufferAddress();
            long[] chainMax = segment.chainMax;
            int count = 0;
            for (int i = 0; i < n; i++) {
                int g = groups[i];
                if (g < 0) {
                    continue;
                }
                long t = MemoryUtil.getLong(probeTimes + ((long) i << 3)) + probeOffset;
                long earliest = saturatedAdd(t, from);
                // Newest first; where no row from here on is as late as the interval's start, stop.
                for (int row = stored.last(g); row != KeyedRows.NO_ROW && chainMax[row] >= earliest;
                     row = stored.previous(row)) {
                    long d = MemoryUtil.getLong(storedTimes + ((long) row << 3)) + storedOffset - t;
                    if (d >= from && d <= to) {
                        probed[count] = i;
                        matched[count++] = row;
                        if (count == batchSize) {
                            emit(left, right, count, out);
                            count = 0;
                        }
                    }
                }
            }
            emit(left, right, count, out);
        }
    }

    /** One output batch of the first {@code count} pairs: {@link #leftRows} of {@code left}, {@link #rightRows} of {@code right}. */
    private void emit(RecordBatch left, RecordBatch right, int count, Output out) throws Exception {
        if (count == 0) {
            return;
        }
        try (RecordBatch result = RecordBatch.allocate(outputSchema, allocator, count)) {
            gatherPairs(left, right, count, result);
            long leftTimes = left.vector(times[0].index()).getDataBufferAddress();
            long rightTimes = right.vector(times[1].index()).getDataBufferAddress();
            long leftOffset = times[0].offsetMillis();
            long rightOffset = times[1].offsetMillis();
            TimeStampMilliVector joinTime = (TimeStampMilliVector) result.vector(outputSchema.columnCount() - 1);
            int[] l = leftRows.rows();
            int[] r = rightRows.rows();
            for (int i = 0; i < count; i++) {
                joinTime.set(i, Math.max(MemoryUtil.getLong(leftTimes + ((long) l[i] << 3)) + leftOffset,
                        MemoryUtil.getLong(rightTimes + ((long) r[i] << 3)) + rightOffset));
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
        return saturatedAdd(watermark, -upper);
    }

    private long rightDeadThrough() {
        return saturatedAdd(watermark, lower);
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return snapshot(leftDeadThrough(), rightDeadThrough());
    }

    /**
     * This subtask's key groups of both inputs' rows out of every old subtask's file; the watermark is the
     * lowest of the old subtasks' whose key groups it took, so that no row is taken for late that was not.
     */
    @Override
    public void restoreState(StateRestore restore) throws Exception {
        List<JoinState.Header> old = restoreBuffers(restore);
        if (!old.isEmpty()) {
            watermark = Long.MAX_VALUE;
            for (JoinState.Header h : old) {
                watermark = Math.min(watermark, h.watermark());
            }
        }
    }
}
