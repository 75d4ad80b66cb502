package io.riffle.engine.internal.operator;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.TimeStampMilliVector;

/**
 * The event-time interval join of two keyed inputs: a left row {@code l} and a right row {@code r} with
 * equal keys make one output row when {@code l.time + lower <= r.time <= l.time + upper}. Each input's rows
 * are kept in a {@link JoinBuffer}; a batch from one input is hashed, looked up in the other's segments at
 * once and the pairs in the interval, collected as row indexes, are gathered column by column into output
 * batches; then its rows join its own buffer. A pair is emitted when its second row arrives.
 *
 * <p>Which pairs are made is Flink's {@code IntervalJoinOperator}'s, whatever the order of rows and
 * watermarks: a row behind the watermark ({@code time < watermark}) is late, dropped and counted; one at
 * the watermark still joins. Flink removes a left row when the watermark reaches {@code time + max(upper, 0)}
 * and a right one at {@code time + max(-lower, 0)} (its clean-up timers, which fire at the first watermark
 * at or past them that comes after the row). So at each advance of the watermark a left row is let go of
 * once {@code time + upper <= watermark} when {@code upper >= 0} (it could still pair with a right row at the
 * watermark, but Flink has removed it), once {@code time + upper < watermark} when {@code upper < 0} (only
 * late rows could pair with it; Flink keeps it longer, to no effect); a right row likewise with
 * {@code -lower}. Rows that arrive after that advance are kept until the next one, whatever their time,
 * as Flink's timers registered then are. Output: the left columns, the right ones but the key
 * ({@code right_} before a name taken), then {@code join_time}, the later of the pair's times (Flink's
 * output timestamp): at or above the watermark it is emitted under, so it can be the result's event time.
 * Checkpoints write the rows not gone by key group.
 */
public final class IntervalJoinOperator extends StreamJoinOperator {
    private final long lower;
    private final long upper;

    /** Joins a left row at {@code t} with the right rows of its key in {@code [t + lower, t + upper]}. */
    public IntervalJoinOperator(JoinInput left, JoinInput right, long lower, long upper, long budgetBytes) {
        super("an interval join", left, right, outputSchema(left.schema(), right.schema(), right.keyField()),
                Math.max(1, saturatedAdd(upper, -lower) / 4), budgetBytes);
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
        RecordBatch rows = onTime(input, batch, saturatedAdd(watermark, -1));
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
                    long storedTime = MemoryUtil.getLong(storedTimes + ((long) row << 3)) + storedOffset;
                    long d = storedTime - t;
                    // A row gone at the last watermark but still held is in the interval only on its far bound.
                    if (d >= from && d <= to && !other.isGone(segment, row, storedTime)) {
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
            buffers[0].evict(deadThrough(upper));
            buffers[1].evict(deadThrough(-lower));
        }
        out.emitWatermark(watermark);
    }

    /**
     * The highest time of a row that the watermark lets go of, for an input whose rows pair with the other
     * input's up to {@code reach} after their own time ({@code upper} for the left, {@code -lower} for the
     * right): {@code watermark - reach}, where Flink's clean-up timer at {@code time + reach} fires, when
     * {@code reach >= 0}; else a millisecond less, the last time whose reach is behind the watermark.
     */
    private long deadThrough(long reach) {
        return saturatedAdd(watermark, reach >= 0 ? -reach : -(reach + 1));
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
