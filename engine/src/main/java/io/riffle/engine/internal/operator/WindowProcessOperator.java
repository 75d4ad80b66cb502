package io.riffle.engine.internal.operator;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.batch.Validity;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.TimeWindow;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Keyed event-time windows (tumbling or sliding, starting at {@code offset} plus multiples of {@code slide})
 * handed whole to a {@link ProcessWindowFunction}. Every record that is not late is kept once, off-heap, in a
 * {@link JoinBuffer} (columnar segments chained by key, shared with a checkpoint without a copy). When the
 * watermark reaches windows' last milliseconds, the rows those windows may hold are gathered into one
 * {@link KeyedRows}, and per window (oldest end first) and key (first seen first) the function is called with
 * the key's rows in the window, in arrival order. A row is let go of once every window holding it is past
 * its allowed lateness. With allowed lateness a record for a window that fired makes it fire again, for its
 * key, after the batch, with all the window's records so far (Flink's late firing). Checkpoints write the
 * rows by key group ({@link JoinState}); after a rescaled restore a window is fired only for the key groups
 * whose old subtask had not fired it.
 */
public final class WindowProcessOperator extends Operator {
    private final ProcessWindowFunction function;
    private final BatchSchema inputSchema;
    private final BatchSchema outputSchema;
    private final int keyField;
    private final EventTimeField time;
    private final WindowSpec windows;
    private final long size;
    private final long slide;
    private final long lateness;
    private final long stateBudgetBytes;
    private final LateOutput lateOutput;
    private final SelectionVector selection = new SelectionVector(1024);
    private final SelectionVector lateRows = new SelectionVector(1024);
    private final WindowRows windowRows = new WindowRows();
    /** Allowed lateness: per fired window (by end) that this batch updated, the keys it updated. */
    private final TreeMap<Long, Set<Object>> updatedFired = new TreeMap<>();
    private JoinBuffer buffer;
    private RecordBatch scratch;
    private RecordWriter writer;
    private BufferAllocator allocator;
    private LateRecords late;
    private String name;
    private int subtask;
    private int parallelism;
    private int maxParallelism;
    private int batchSize;
    private long watermark = Long.MIN_VALUE;
    private long[] hashes = new long[0];
    private long[] starts = new long[64];
    private final RestoredWatermarks restored = new RestoredWatermarks();

    /**
     * Hands the records of {@code inputSchema} by field {@code keyField} in {@code windows} of event time
     * {@code time} to {@code function}; the records kept may take up to {@code stateBudgetBytes}.
     */
    public WindowProcessOperator(ProcessWindowFunction function, BatchSchema inputSchema, BatchSchema outputSchema,
                                 int keyField, EventTimeField time, WindowSpec windows, long stateBudgetBytes,
                                 LateOutput lateOutput) {
        this.function = function;
        this.inputSchema = inputSchema;
        this.outputSchema = outputSchema;
        this.keyField = keyField;
        this.time = time;
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
        this.lateness = windows.allowedLateness();
        this.stateBudgetBytes = stateBudgetBytes;
        this.lateOutput = lateOutput;
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        name = context.operatorName();
        maxParallelism = context.maxParallelism();
        late = new LateRecords(lateOutput, context);
        buffer = new JoinBuffer(inputSchema, keyField, time, Math.max(1, size / 4), allocator, stateBudgetBytes);
        scratch = RecordBatch.allocate(inputSchema, allocator, batchSize);
        writer = new RecordWriter(name, outputSchema, allocator, batchSize);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        time.timestamps(batch);
        if (Validity.hasNulls(batch.vector(keyField))) {
            throw new IllegalArgumentException("null key in " + inputSchema.describe(keyField) + " of " + name
                    + "; window keys must not be null");
        }
        int onTime = buffer.selectAbove(batch, windows.expiredThrough(watermark), selection);
        if (onTime < n) {
            dropLate(batch, onTime, out);
        }
        if (onTime == 0) {
            return;
        }
        RecordBatch rows = batch;
        if (onTime < n) {
            GatherKernel.gather(batch, selection, scratch);
            rows = scratch;
        }
        if (lateness > 0 && watermark != Long.MIN_VALUE) {
            noteFiredWindows(rows);
        }
        buffer.add(rows);
        checkBudget();
        refireUpdated(out);
    }

    /** Drops as late ({@link LateRecords}) the rows of {@code batch} that {@link #selection} (the on-time ones) leaves out. */
    private void dropLate(RecordBatch batch, int onTime, Output out) throws Exception {
        int n = batch.rowCount();
        lateRows.ensureCapacity(n - onTime);
        int[] rows = lateRows.rows();
        int count = 0;
        for (int i = 0, next = 0; i < n; i++) {
            if (next < onTime && selection.get(next) == i) {
                next++;
            } else {
                rows[count++] = i;
            }
        }
        lateRows.setSize(count);
        late.drop(batch, lateRows, scratch, out);
    }

    /** Allowed lateness: notes, per window that has fired and holds one of {@code rows}, the keys to fire it again for. */
    private void noteFiredWindows(RecordBatch rows) {
        long times = rows.vector(time.index()).getDataBufferAddress();
        long timeOffset = time.offsetMillis();
        for (int i = 0; i < rows.rowCount(); i++) {
            long t = MemoryUtil.getLong(times + ((long) i << 3)) + timeOffset;
            if (t > watermark) {
                continue;
            }
            for (long s = windows.lastWindowStart(t); s > t - size; s -= slide) {
                long last = s + size - 1;
                if (last <= watermark && last + lateness > watermark) {
                    updatedFired.computeIfAbsent(s + size, k -> new LinkedHashSet<>()).add(rows.value(i, keyField));
                }
            }
        }
    }

    private void checkBudget() {
        long bytes = buffer.bytes();
        if (bytes > stateBudgetBytes) {
            throw new MemoryBudgetExceededException(name + ": the windows' records need " + bytes
                    + " bytes, more than the state budget of " + stateBudgetBytes + " bytes; raise it with"
                    + " Environment.setStateBudget, or use reduce or aggregate, which keep one record per key and window",
                    bytes, stateBudgetBytes);
        }
    }

    /** Allowed lateness: fires again, for the keys this batch updated, every fired window they updated. */
    private void refireUpdated(Output out) throws Exception {
        if (updatedFired.isEmpty()) {
            return;
        }
        writer.target(out);
        for (Map.Entry<Long, Set<Object>> w : updatedFired.entrySet()) {
            long start = w.getKey() - size;
            try (KeyedRows window = buffer.rowsBetween(start - 1, start + size - 1)) {
                fire(window, start, w.getValue());
            }
        }
        updatedFired.clear();
        writer.flush();
    }

    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark > this.watermark) {
            fireClosed(this.watermark, watermark, out);
            this.watermark = watermark;
            restored.advance(watermark);
            buffer.evict(windows.expiredThrough(watermark));
        }
        out.emitWatermark(watermark);
    }

    /**
     * Fires every window whose last millisecond is in {@code (from, to]} and that holds rows, oldest first,
     * each from its own rows: a window's rows are gathered out of the segments its time range meets.
     */
    private void fireClosed(long from, long to, Output out) throws Exception {
        int windows = windowsClosing(from, to);
        if (windows == 0) {
            return;
        }
        writer.target(out);
        for (int w = 0; w < windows; w++) {
            try (KeyedRows window = buffer.rowsBetween(starts[w] - 1, starts[w] + size - 1)) {
                fire(window, starts[w], null);
            }
        }
        writer.flush();
    }

    /**
     * The starts of the windows whose last millisecond is in {@code (from, to]} and that may hold buffered rows,
     * ascending in {@link #starts}; returns how many. A watermark step closing a few windows tests each against
     * the segments' time ranges; a longer one (the first, or the last to {@code MAX}) takes the windows of the
     * rows in its range.
     */
    private int windowsClosing(long from, long to) {
        // A window ending after from + 1 starts after from + 1 - size: its rows are later than that.
        long after = StreamJoinOperator.saturatedAdd(from, 1 - size);
        if (after != Long.MIN_VALUE && to != Long.MAX_VALUE) {
            long lastStart = windows.lastWindowStart(to + 1 - size);
            long firstStart = windows.lastWindowStart(after) + slide;
            if (lastStart < firstStart) {
                return 0;
            }
            long span = lastStart - firstStart;
            if (span >= 0 && span / slide < starts.length) {
                int count = 0;
                for (long s = firstStart; s <= lastStart; s += slide) {
                    if (buffer.mayHold(s, s + size - 1)) {
                        starts[count++] = s;
                    }
                }
                return count;
            }
        }
        int count = 0;
        for (int g = 0; g < buffer.segmentCount(); g++) {
            JoinBuffer.Segment segment = buffer.segment(g);
            if (segment.minTime > to || segment.maxTime <= after) {
                continue;
            }
            RecordBatch stored = segment.rows.rows();
            long times = stored.vector(time.index()).getDataBufferAddress();
            long timeOffset = time.offsetMillis();
            for (int i = 0; i < stored.rowCount(); i++) {
                long t = MemoryUtil.getLong(times + ((long) i << 3)) + timeOffset;
                if (t <= after || t > to) {
                    continue;
                }
                for (long s = windows.lastWindowStart(t); s > t - size; s -= slide) {
                    long last = s + size - 1;
                    if (last > from && last <= to) {
                        if (count == starts.length) {
                            count = distinct(count);
                            if (count == starts.length) {
                                starts = Arrays.copyOf(starts, count * 2);
                            }
                        }
                        starts[count++] = s;
                    }
                }
            }
        }
        return distinct(count);
    }

    /** Sorts {@code starts[0 .. count)} and drops repeats; returns how many are left. */
    private int distinct(int count) {
        Arrays.sort(starts, 0, count);
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            if (distinct == 0 || starts[distinct - 1] != starts[i]) {
                starts[distinct++] = starts[i];
            }
        }
        return distinct;
    }

    /**
     * Calls the function for each key of {@code rows} with rows in the window starting at {@code start}: every
     * key but those whose key group's old subtask had fired the window, or (a late firing) only the keys in
     * {@code onlyKeys}.
     */
    private void fire(KeyedRows rows, long start, Set<Object> onlyKeys) throws Exception {
        RecordBatch batch = rows.rows();
        long end = start + size;
        boolean skipFired = onlyKeys == null && restored.differ();
        if (skipFired) {
            if (hashes.length < batch.rowCount()) {
                hashes = new long[batch.rowCount()];
            }
            HashKernel.hash(batch, new int[] {keyField}, hashes);
        }
        TimeWindow window = new TimeWindow(start, end);
        for (int g = 0; g < rows.keyCount(); g++) {
            if (windowRows.point(rows, g, time, start, end - 1) == 0) {
                continue;
            }
            Object key = batch.value(windowRows.firstRow(), keyField);
            if (onlyKeys != null && !onlyKeys.contains(key)) {
                continue;
            }
            if (skipFired && restored.firedThrough(KeyGroups.keyGroup(hashes[windowRows.firstRow()], maxParallelism),
                    Long.MIN_VALUE) >= end - 1) {
                continue;
            }
            function.process(key, window, windowRows, writer);
        }
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return JoinState.checkpoint(new JoinBuffer[] {buffer}, watermark, subtask, parallelism, maxParallelism,
                allocator);
    }

    /**
     * This subtask's key groups' rows out of every old subtask's file. The watermark is the lowest of the old
     * subtasks'; when they differ, each key group keeps its old subtask's, so that no window fires twice for a key.
     */
    @Override
    public void restoreState(StateRestore restore) throws Exception {
        List<JoinState.Header> old = JoinState.readAll(restore, new JoinBuffer[] {buffer}, allocator);
        if (!old.isEmpty()) {
            watermark = restored.restore(old, restore.keyGroups());
        }
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
        }
        if (scratch != null) {
            scratch.close();
        }
        if (writer != null) {
            writer.close();
        }
    }
}
