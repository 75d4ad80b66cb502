package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.AggregateFunction;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Keyed event-time windows (tumbling or sliding) folded by a user function: a {@link ReduceFunction} (each
 * key's records reduced to one, emitted with {@code window_start} and {@code window_end} appended) or an
 * {@link AggregateFunction} (records added into an accumulator, emitted as {@code (key, window_start,
 * window_end, result...)}). State is kept by pane ({@code gcd(size, slide)} long), as
 * {@link WindowAggregateOperator} keeps it: per pane {@link KeyedRecords} holds each key's fold (off-heap key
 * ids, records shared copy-on-write with a checkpoint), so a record is folded into one pane whatever the
 * number of windows it is in. A batch is split by pane with the window kernel; rows are folded one by one
 * (the functions are row-level). When the watermark reaches a window's last millisecond it fires: a tumbling
 * window emits its pane's records, a sliding one merges each key's records of its panes in time order first.
 * With allowed lateness the panes are kept that much longer, and a window a batch updated after it fired is
 * emitted again, for the keys updated, after the batch. Late records are dropped and counted, or sent to the
 * side output; with a slide longer than the size, a record between windows is late only when behind the
 * watermark by the allowed lateness (as in Flink), else not counted.
 *
 * <p>A checkpoint shares each pane's record pages copy-on-write and writes them by key group into
 * {@code <file>.<pane start>}, with the same index as the aggregating window operator; a restore reads its key
 * groups of every pane out of every old subtask's files and, after a rescale, emits a window only for the key
 * groups whose old subtask had not fired it.
 */
public final class WindowFunctionOperator extends Operator {
    private final WindowFold fold;
    private final BatchSchema inputSchema;
    private final Column keyColumn;
    private final BatchSchema outputSchema;
    private final int keyField;
    private final EventTimeField time;
    private final WindowSpec windows;
    private final long size;
    private final long slide;
    private final long stateBudgetBytes;
    private final LateOutput lateOutput;
    private final PaneClock clock;
    private final PaneSplitter.PaneUpdate foldIntoPane = this::foldInto;
    private final RowView view = new RowView();
    /** Allowed lateness: per fired window (by end) that this batch updated, the keys it updated. */
    private final TreeMap<Long, Set<Object>> updatedFired = new TreeMap<>();
    private Panes<KeyedRecords> panes;
    private PaneSplitter splitter;
    private int batchSize;
    private int subtask;
    private int parallelism;
    private int maxParallelism;
    private String name;
    private RecordWriter writer;

    /**
     * Folds records of {@code inputSchema} by field {@code keyField} with {@code fold} over {@code windows} of
     * event time {@code time}; each pane's records may take up to {@code stateBudgetBytes}.
     */
    public WindowFunctionOperator(WindowFold fold, BatchSchema inputSchema, int keyField, EventTimeField time,
                                  WindowSpec windows, long stateBudgetBytes, LateOutput lateOutput) {
        this.fold = fold;
        this.inputSchema = inputSchema;
        this.keyColumn = inputSchema.column(keyField);
        this.outputSchema = fold.outputSchema(true);
        this.keyField = keyField;
        this.time = time;
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
        this.stateBudgetBytes = stateBudgetBytes;
        this.lateOutput = lateOutput;
        this.clock = new PaneClock(windows);
    }

    @Override
    public void open(SubtaskContext context) {
        BufferAllocator allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        name = context.operatorName();
        maxParallelism = context.maxParallelism();
        panes = new Panes<>(() -> new KeyedRecords(keyColumn, allocator, stateBudgetBytes, maxParallelism),
                KeyedRecords::close);
        splitter = new PaneSplitter(inputSchema, time, windows, clock, lateOutput, context);
        writer = new RecordWriter(name, outputSchema, allocator, batchSize);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        splitter.split(batch, out, foldIntoPane);
        refireUpdated(out);
    }

    /**
     * Folds every row of {@code rows} into its key's record of pane {@code paneStart}; with allowed lateness,
     * notes the keys of the windows holding the pane that fired already, to emit them again after the batch.
     */
    private void foldInto(long paneStart, RecordBatch rows) throws Exception {
        KeyedRecords into = panes.getOrCreate(paneStart);
        int n = rows.rowCount();
        int[] ids = into.ids(rows, keyField);
        for (int row = 0; row < n; row++) {
            view.point(rows, row);
            int id = ids[row];
            if (id == into.size()) {
                into.add(fold.first(view), into.keyGroupOfRow(row));
            } else {
                into.set(id, fold.add(into.get(id), view));
            }
        }
        if (windows.allowedLateness() == 0 || clock.firedEnd() == Long.MIN_VALUE) {
            return;
        }
        for (long s = clock.lastWindowStart(paneStart); s > paneStart - size; s -= slide) {
            long end = s + size;
            if (clock.firedAndKept(end)) {
                Set<Object> keys = updatedFired.computeIfAbsent(end, k -> new LinkedHashSet<>());
                for (int row = 0; row < n; row++) {
                    keys.add(into.get(ids[row]).field(fold.keyField()));
                }
            }
        }
    }

    /** Allowed lateness: emits again, for the keys this batch updated, every fired window they updated. */
    private void refireUpdated(Output out) throws Exception {
        if (updatedFired.isEmpty()) {
            return;
        }
        writer.target(out);
        for (Map.Entry<Long, Set<Object>> w : updatedFired.entrySet()) {
            long end = w.getKey();
            Instant windowStart = Instant.ofEpochMilli(end - size);
            Instant windowEnd = Instant.ofEpochMilli(end);
            Map<Object, Tuple> window = new LinkedHashMap<>();
            for (KeyedRecords p : panes.between(end - size, end).values()) {
                for (int g = 0; g < p.size(); g++) {
                    Tuple record = p.get(g);
                    Object key = record.field(fold.keyField());
                    if (w.getValue().contains(key)) {
                        Tuple so = window.get(key);
                        window.put(key, so == null ? record : fold.merge(so, record));
                    }
                }
            }
            for (Tuple record : window.values()) {
                writer.collect(fold.emitted(record, windowStart, windowEnd));
            }
        }
        writer.flush();
        updatedFired.clear();
    }

    /** Fires every window the watermark closes, oldest first, and frees the panes no window needs any more. */
    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (clock.advance(watermark)) {
            NavigableMap<Long, KeyedRecords> due = panes.through(watermark);
            writer.target(out);
            for (long end : clock.endsToFire(due.keySet())) {
                fire(end - size, end);
                clock.fired(end);
            }
            clock.closeThroughWatermark();
            writer.flush();
            panes.freeLate(due, clock);
        }
        out.emitWatermark(watermark);
    }

    private void fire(long start, long end) throws Exception {
        Instant windowStart = Instant.ofEpochMilli(start);
        Instant windowEnd = Instant.ofEpochMilli(end);
        if (windows.onePanePerWindow()) {
            KeyedRecords p = panes.get(start);
            if (p != null) {
                for (int g = 0; g < p.size(); g++) {
                    emit(p.get(g), p.keyGroup(g), end, windowStart, windowEnd);
                }
            }
            return;
        }
        // Each key's records of the window's panes, merged in time order; insertion order keeps output stable.
        Map<Object, Tuple> window = new LinkedHashMap<>();
        Map<Object, Integer> keyGroups = new LinkedHashMap<>();
        for (KeyedRecords p : panes.between(start, end).values()) {
            for (int g = 0; g < p.size(); g++) {
                Tuple record = p.get(g);
                Object key = record.field(fold.keyField());
                Tuple so = window.get(key);
                window.put(key, so == null ? record : fold.merge(so, record));
                keyGroups.putIfAbsent(key, p.keyGroup(g));
            }
        }
        for (Map.Entry<Object, Tuple> e : window.entrySet()) {
            emit(e.getValue(), keyGroups.get(e.getKey()), end, windowStart, windowEnd);
        }
    }

    /** Emits a window's record, unless its key group's old subtask had fired the window before a rescale. */
    private void emit(Tuple record, int keyGroup, long end, Instant windowStart, Instant windowEnd) throws Exception {
        if (clock.firedBeforeRestore(keyGroup, end)) {
            return;
        }
        writer.collect(fold.emitted(record, windowStart, windowEnd));
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return panes.checkpoint(clock, subtask, parallelism, maxParallelism, records -> {
            ReducedRecords.Snapshot snapshot = records.snapshot();
            return new Panes.PaneCheckpoint() {
                @Override
                public long writeTo(Path paneFile) throws IOException {
                    return snapshot.writeTo(paneFile, fold.stateSchema(), maxParallelism);
                }

                @Override
                public void close() {
                }
            };
        });
    }

    /** This subtask's key groups of every pane, read out of every old subtask's files. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        for (Map.Entry<Long, List<Path>> e : clock.restore(restore).entrySet()) {
            panes.getOrCreate(e.getKey()).restore(e.getValue(), fold.stateSchema(), fold.keyField(), restore.keyGroups(),
                    record -> true, name, batchSize);
        }
    }

    @Override
    public void close() {
        if (panes != null) {
            panes.close();
        }
        if (splitter != null) {
            splitter.close();
        }
        if (writer != null) {
            writer.close();
        }
    }
}
