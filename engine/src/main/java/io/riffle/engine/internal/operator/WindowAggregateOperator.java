package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.hash.TableSnapshot;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.jspecify.annotations.Nullable;

/**
 * Keyed event-time windows with aggregates. State is kept by pane: a pane is {@code gcd(size, slide)}
 * long, and each pane has its own off-heap table of (key, partial aggregates), so a record updates one
 * table whatever the number of windows it falls into. A batch is assigned to panes by a kernel over its
 * timestamp column and, in the usual case of a single pane, aggregated as it is. When the watermark
 * reaches a window's last millisecond the window fires: a tumbling window emits its pane's table; a
 * sliding one merges its panes into a table first. Each firing emits batches of {@code (key, window_start,
 * window_end, aggregates...)}; panes no later window needs are freed. A record whose every window has
 * fired is late: dropped and counted in the operator's metrics, and sent to a side output if asked. With a
 * slide longer than the size, a record between windows is in no pane: late only when behind the watermark by
 * the allowed lateness, as Flink counts a record no window took, else not counted at all.
 *
 * <p>A checkpoint writes each pane's table by key group (copy-on-write, as keyed running aggregates do)
 * into {@code <file>.<pane start>} and an index into the state file: the subtask's key groups, its
 * watermark, the end of the last window it fired and the panes. A restore reads its key groups of every
 * pane out of every old subtask's files. After a rescale, old subtasks may have fired up to different
 * windows; each key group keeps its old subtask's mark, and a window is emitted only for the key groups
 * that had not fired it, until the watermark passes the highest mark.
 */
public final class WindowAggregateOperator extends Operator {
    private static final int[] KEY_COLUMN = {0};
    private final BatchSchema inputSchema;
    private final int keyField;
    private final EventTimeField time;
    private final WindowSpec windows;
    private final long size;
    private final long slide;
    private final long stateBudgetBytes;
    private final LateOutput lateOutput;
    /** Per pane {@link PartialAggregates#partialSpec()}; merged by its merge spec (sliding windows, late firings). */
    private final PartialAggregates parts;
    private final BatchSchema outputSchema;
    private final PaneClock clock;
    private final PaneSplitter.PaneUpdate aggregateIntoPane = this::aggregateIntoPane;
    private final SelectionVector all = new SelectionVector(1024);
    /** Copies of this batch's rows that updated windows which had fired already, and their panes. */
    private final List<RecordBatch> lateRows = new ArrayList<>();
    private final List<Long> latePanes = new ArrayList<>();
    private Panes<OffHeapHashTable> panes;
    private PaneSplitter splitter;
    private BufferAllocator allocator;
    private int batchSize;
    private int subtask;
    private int parallelism;
    private int maxParallelism;
    private long[] hashes = new long[0];

    /**
     * {@code aggregates} of {@code inputSchema} by field {@code keyField} over {@code windows} of event time
     * {@code time}; each pane's table may take up to {@code stateBudgetBytes}.
     */
    public WindowAggregateOperator(BatchSchema inputSchema, int keyField, Aggregate[] aggregates, EventTimeField time,
                                   WindowSpec windows, long stateBudgetBytes, LateOutput lateOutput) {
        this.inputSchema = inputSchema;
        this.keyField = keyField;
        this.time = time;
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
        this.stateBudgetBytes = stateBudgetBytes;
        this.lateOutput = lateOutput;
        this.clock = new PaneClock(windows);
        this.parts = PartialAggregates.of(inputSchema, keyField, aggregates);
        this.outputSchema = outputSchema(GroupBySpec.of(inputSchema, keyField, aggregates));
    }

    /** {@code (key, window_start, window_end, aggregates...)}, the aggregates as a keyed aggregation names them. */
    public static BatchSchema outputSchema(GroupBySpec user) {
        BatchSchema keyed = user.outputSchema();
        List<Column> columns = new ArrayList<>();
        columns.add(keyed.column(0));
        columns.add(Column.of("window_start", ColumnType.TIMESTAMP_MS));
        columns.add(Column.of("window_end", ColumnType.TIMESTAMP_MS));
        for (int c = 1; c < keyed.columnCount(); c++) {
            columns.add(keyed.column(c));
        }
        return BatchSchema.of(columns);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        maxParallelism = context.maxParallelism();
        panes = new Panes<>(() -> new OffHeapHashTable(parts.partialSpec(), allocator, stateBudgetBytes),
                OffHeapHashTable::close);
        splitter = new PaneSplitter(inputSchema, time, windows, clock, lateOutput, context);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        splitter.split(batch, out, aggregateIntoPane);
        fireLate(out);
    }

    private void aggregateIntoPane(long paneStart, RecordBatch rows) {
        panes.getOrCreate(paneStart).aggregate(rows);
        noteIfFired(paneStart, rows);
    }

    /** Keeps a copy of {@code rows} (of pane {@code paneStart}) when a window holding that pane has fired. */
    private void noteIfFired(long paneStart, RecordBatch rows) {
        if (windows.allowedLateness() == 0) {
            return;
        }
        long firstStart = clock.lastWindowStart(paneStart - size) + slide;
        if (firstStart + size > clock.firedEnd()) {
            return;
        }
        RecordBatch copy = RecordBatch.allocate(inputSchema, allocator, rows.rowCount());
        all.ensureCapacity(rows.rowCount());
        all.selectAll(rows.rowCount());
        GatherKernel.gather(rows, all, copy);
        lateRows.add(copy);
        latePanes.add(paneStart);
    }

    /**
     * Allowed lateness: emits again, for the keys of this batch's late rows, every window they updated that
     * had fired (and is still kept), once per window with all the batch's updates.
     */
    private void fireLate(Output out) throws Exception {
        if (lateRows.isEmpty()) {
            return;
        }
        try {
            TreeMap<Long, List<RecordBatch>> byWindowEnd = new TreeMap<>();
            for (int i = 0; i < lateRows.size(); i++) {
                long p = latePanes.get(i);
                for (long s = clock.lastWindowStart(p); s > p - size; s -= slide) {
                    long end = s + size;
                    if (clock.firedAndKept(end)) {
                        byWindowEnd.computeIfAbsent(end, k -> new ArrayList<>()).add(lateRows.get(i));
                    }
                }
            }
            for (Map.Entry<Long, List<RecordBatch>> w : byWindowEnd.entrySet()) {
                refire(w.getKey() - size, w.getKey(), w.getValue(), out);
            }
        } finally {
            for (RecordBatch b : lateRows) {
                b.close();
            }
            lateRows.clear();
            latePanes.clear();
        }
    }

    /** Emits window {@code [start, end)} for the distinct keys of {@code rows}: their panes merged. */
    private void refire(long start, long end, List<RecordBatch> rows, Output out) throws Exception {
        try (OffHeapHashTable distinct = new OffHeapHashTable(GroupBySpec.of(inputSchema, keyField, Aggregate.count()),
                allocator, stateBudgetBytes);
             OffHeapHashTable window = new OffHeapHashTable(parts.mergeSpec(), allocator, stateBudgetBytes)) {
            for (RecordBatch r : rows) {
                distinct.aggregate(r);
            }
            try (RecordBatch keys = distinct.emit(0, distinct.groupCount(), allocator)) {
                int n = keys.rowCount();
                if (hashes.length < n) {
                    hashes = new long[n];
                }
                int[] found = new int[n];
                HashKernel.hash(keys, KEY_COLUMN, hashes);
                for (OffHeapHashTable p : panes.between(start, end).values()) {
                    p.find(keys.vector(0), n, hashes, found);
                    SelectionVector present = new SelectionVector(n);
                    int[] groups = new int[n];
                    int m = 0;
                    for (int i = 0; i < n; i++) {
                        if (found[i] >= 0) {
                            present.rows()[m] = i;
                            groups[m++] = found[i];
                        }
                    }
                    present.setSize(m);
                    if (m == 0) {
                        continue;
                    }
                    try (RecordBatch partial = RecordBatch.allocate(parts.partialSpec().outputSchema(), allocator, m)) {
                        GatherKernel.gatherColumn(keys, 0, present, partial, 0);
                        for (int c = 0; c < parts.partialSpec().aggregateCount(); c++) {
                            p.currentValues(c, groups, m, partial.vector(c + 1));
                        }
                        partial.setRowCount(m);
                        window.aggregate(partial);
                    }
                }
            }
            emit(window, start, end, out, true);
        }
    }

    /** Fires every window the watermark closes, oldest first, frees the panes no window needs any more. */
    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (!clock.advance(watermark)) {
            out.emitWatermark(watermark);
            return;
        }
        // A window ends after its panes, so only panes at or below the watermark can close one; panes
        // ahead of it (a source far ahead in event time) are not looked at.
        NavigableMap<Long, OffHeapHashTable> due = panes.through(watermark);
        if (due.isEmpty()) {
            clock.closeThroughWatermark();
            out.emitWatermark(watermark);
            return;
        }
        for (long end : clock.endsToFire(due.keySet())) {
            fire(end - size, end, out);
            clock.fired(end);
        }
        clock.closeThroughWatermark();
        panes.freeLate(due, clock);
        out.emitWatermark(watermark);
    }

    private void fire(long start, long end, Output out) throws Exception {
        if (windows.onePanePerWindow()) {
            emit(panes.get(start), start, end, out, false);
            return;
        }
        try (OffHeapHashTable window = new OffHeapHashTable(parts.mergeSpec(), allocator, stateBudgetBytes)) {
            for (OffHeapHashTable p : panes.between(start, end).values()) {
                for (int from = 0; from < p.groupCount(); from += batchSize) {
                    try (RecordBatch partial = p.emit(from, batchSize, allocator)) {
                        window.aggregate(partial);
                    }
                }
            }
            emit(window, start, end, out, false);
        }
    }

    /**
     * Emits {@code table}'s groups as window {@code [start, end)}; after a rescaled restore, only for the key
     * groups that had not fired it, unless this is a late firing (an update of a fired window).
     */
    private void emit(@Nullable OffHeapHashTable table, long start, long end, Output out, boolean lateFiring) throws Exception {
        if (table == null) {
            return;
        }
        for (int from = 0; from < table.groupCount(); from += batchSize) {
            try (RecordBatch partial = table.emit(from, batchSize, allocator);
                 RecordBatch result = RecordBatch.allocate(outputSchema, allocator, partial.rowCount())) {
                all.ensureCapacity(partial.rowCount());
                int n = !lateFiring && clock.mayHaveFiredBeforeRestore(end) ? notFiredYet(partial, end)
                        : partial.rowCount();
                if (n == 0) {
                    continue;
                }
                if (n == partial.rowCount()) {
                    all.selectAll(n);
                }
                GatherKernel.gatherColumn(partial, 0, all, result, 0);
                TimeStampMilliVector starts = (TimeStampMilliVector) result.vector(1);
                TimeStampMilliVector ends = (TimeStampMilliVector) result.vector(2);
                for (int r = 0; r < n; r++) {
                    starts.set(r, start);
                    ends.set(r, end);
                }
                parts.finish(partial, all, n, result, 3);
                result.setRowCount(n);
                out.emit(result);
            }
        }
    }

    /**
     * After a rescaled restore: selects into {@link #all} the rows of keys whose key group had not fired
     * the window ending at {@code end} before the checkpoint; returns how many.
     */
    private int notFiredYet(RecordBatch partial, long end) {
        int n = partial.rowCount();
        if (hashes.length < n) {
            hashes = new long[n];
        }
        HashKernel.hash(partial, KEY_COLUMN, hashes);
        int[] rows = all.rows();
        int count = 0;
        for (int r = 0; r < n; r++) {
            int group = KeyGroups.keyGroup(hashes[r], maxParallelism);
            if (!clock.firedBeforeRestore(group, end)) {
                rows[count++] = r;
            }
        }
        all.setSize(count);
        return count;
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return panes.checkpoint(clock, subtask, parallelism, maxParallelism, table -> {
            TableSnapshot snapshot = table.snapshot();
            return new Panes.PaneCheckpoint() {
                @Override
                public long writeTo(Path paneFile) throws IOException {
                    return snapshot.writeTo(paneFile, maxParallelism);
                }

                @Override
                public void close() {
                    snapshot.close();
                }
            };
        });
    }

    /** This subtask's key groups of every pane, read out of every old subtask's files. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        for (Map.Entry<Long, List<Path>> e : clock.restore(restore).entrySet()) {
            panes.put(e.getKey(), OffHeapHashTable.restore(parts.partialSpec(), allocator, stateBudgetBytes,
                    e.getValue(), restore.keyGroups()));
        }
    }

    @Override
    public void close() {
        for (RecordBatch b : lateRows) {
            b.close();
        }
        lateRows.clear();
        if (panes != null) {
            panes.close();
        }
        if (splitter != null) {
            splitter.close();
        }
    }
}
