package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.Validity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
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
import io.riffle.columnar.hash.AggregateKind;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.hash.TableSnapshot;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.columnar.kernel.EventTimeKernel;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampMilliVector;

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
    private final BatchSchema inputSchema;
    private final EventTimeField time;
    private final long size;
    private final long slide;
    private final long offset;
    private final long pane;
    private final Aggregate[] aggregates;
    private final long budgetBytes;
    private final GroupBySpec paneSpec;
    /** Merges pane results into a window's: sliding windows, and late firings. */
    private final GroupBySpec mergeSpec;
    private final BatchSchema outputSchema;
    /** Per user aggregate, its first column in a pane's results (after the key); AVG takes two: sum, count. */
    private final int[] paneColumn;
    private final boolean[] average;
    private static final int[] KEY_COLUMN = {0};
    private final TreeMap<Long, OffHeapHashTable> panes = new TreeMap<>();
    private final SelectionVector selection = new SelectionVector(1024);
    private final SelectionVector all = new SelectionVector(1024);
    private BufferAllocator allocator;
    private int batchSize;
    private RecordBatch scratch;
    private long[] starts = new long[1024];
    private final PaneClock clock;
    private final int lateOutput;
    private LateRecords late;
    private final int keyField;
    private final long lateness;
    /** Copies of this batch's rows that updated windows which had fired already, and their panes. */
    private final List<RecordBatch> lateRows = new ArrayList<>();
    private final List<Long> latePanes = new ArrayList<>();
    private int subtask;
    private int parallelism;
    private int maxParallelism;
    private long[] hashes = new long[0];

    /**
     * Windows start at {@code offset} plus multiples of {@code slide} (Flink's window offsets);
     * {@code lateness}: how long after a window fired (ms of event time) its state is kept and records still
     * update it; {@code lateOutput}: the side output late records go to, or -1 to only count them.
     */
    public WindowAggregateOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long size, long slide,
                                   long offset, long lateness, Aggregate[] aggregates, long budgetBytes, int lateOutput) {
        this.lateOutput = lateOutput;
        this.keyField = keyField;
        this.lateness = lateness;
        this.inputSchema = inputSchema;
        this.time = time;
        this.size = size;
        this.slide = slide;
        this.pane = gcd(size, slide);
        this.clock = new PaneClock(size, slide, offset, lateness);
        this.offset = offset;
        this.aggregates = aggregates.clone();
        this.budgetBytes = budgetBytes;
        GroupBySpec user = GroupBySpec.of(inputSchema, keyField, aggregates);
        List<Aggregate> partial = new ArrayList<>();
        this.paneColumn = new int[aggregates.length];
        this.average = new boolean[aggregates.length];
        for (int a = 0; a < aggregates.length; a++) {
            paneColumn[a] = partial.size() + 1;
            average[a] = user.kindOf(a) == AggregateKind.AVG;
            if (average[a]) {
                partial.add(Aggregate.sum(user.fieldOf(a)).as("sum" + a));
                partial.add(Aggregate.count(user.fieldOf(a)).as("count" + a));
            } else {
                partial.add(aggregates[a].as("p" + a));
            }
        }
        this.paneSpec = GroupBySpec.of(inputSchema, keyField, partial.toArray(new Aggregate[0]));
        Aggregate[] merge = new Aggregate[partial.size()];
        for (int c = 0; c < merge.length; c++) {
            AggregateKind kind = paneSpec.kindOf(c);
            merge[c] = kind == AggregateKind.MIN ? Aggregate.min(c + 1)
                    : kind == AggregateKind.MAX ? Aggregate.max(c + 1) : Aggregate.sum(c + 1);
        }
        this.mergeSpec = GroupBySpec.of(paneSpec.outputSchema(), 0, merge);
        this.outputSchema = outputSchema(user);
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

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        maxParallelism = context.maxParallelism();
        scratch = RecordBatch.allocate(inputSchema, allocator, batchSize);
        late = new LateRecords(lateOutput, context);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        FieldVector timestamps = timestamps(batch, time.index());
        if (starts.length < n) {
            starts = new long[Math.max(n, starts.length * 2)];
        }
        boolean onePane = EventTimeKernel.windowStarts(timestamps, n, time.offsetMillis(), pane, offset, starts);
        if (onePane && clock.inWindow(starts[0]) && !clock.isLate(starts[0])) {
            paneFor(starts[0]).aggregate(batch);
            noteIfFired(starts[0], batch);
            fireLate(out);
            return;
        }
        int distinct = clock.distinctPanes(starts, n);
        selection.ensureCapacity(n);
        int[] rows = selection.rows();
        for (int d = 0; d < distinct; d++) {
            long start = clock.batchPane(d);
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (starts[i] == start) {
                    rows[count++] = i;
                }
            }
            selection.setSize(count);
            if (!clock.inWindow(start)) {
                clock.keepLateBetweenWindows(timestamps, time.offsetMillis(), selection);
                late.drop(batch, selection, scratch, out);
            } else if (clock.isLate(start)) {
                late.drop(batch, selection, scratch, out);
            } else {
                GatherKernel.gather(batch, selection, scratch);
                paneFor(start).aggregate(scratch);
                noteIfFired(start, scratch);
            }
        }
        fireLate(out);
    }


    /** The batch's timestamp column; a null timestamp fails the job naming the field. */
    static FieldVector timestamps(RecordBatch batch, int timestampField) {
        FieldVector timestamps = batch.vector(timestampField);
        // Counting nulls scans the validity bits; a column declared not null holds none.
        if (batch.schema().column(timestampField).nullable() && Validity.hasNulls(timestamps)) {
            throw new IllegalArgumentException("timestamp field '" + batch.schema().column(timestampField).name()
                    + "' is null: a window needs a timestamp on every record");
        }
        return timestamps;
    }

    /** Keeps a copy of {@code rows} (of pane {@code paneStart}) when a window holding that pane has fired. */
    private void noteIfFired(long paneStart, RecordBatch rows) {
        if (lateness == 0) {
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
                    if (end <= clock.firedEnd() && end - 1 + lateness > clock.watermark()) {
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
                allocator, budgetBytes);
             OffHeapHashTable window = new OffHeapHashTable(mergeSpec, allocator, budgetBytes)) {
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
                for (OffHeapHashTable p : panes.subMap(start, end).values()) {
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
                    try (RecordBatch partial = RecordBatch.allocate(paneSpec.outputSchema(), allocator, m)) {
                        GatherKernel.gatherColumn(keys, 0, present, partial, 0);
                        for (int c = 0; c < paneSpec.aggregateCount(); c++) {
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

    private OffHeapHashTable paneFor(long start) {
        OffHeapHashTable table = panes.get(start);
        if (table == null) {
            table = new OffHeapHashTable(paneSpec, allocator, budgetBytes);
            panes.put(start, table);
        }
        return table;
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
        NavigableMap<Long, OffHeapHashTable> due = panes.headMap(watermark, true);
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
        Iterator<Map.Entry<Long, OffHeapHashTable>> it = due.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, OffHeapHashTable> e = it.next();
            if (clock.isLate(e.getKey())) {
                e.getValue().close();
                it.remove();
            }
        }
        out.emitWatermark(watermark);
    }

    private void fire(long start, long end, Output out) throws Exception {
        if (pane == size) {
            emit(panes.get(start), start, end, out, false);
            return;
        }
        try (OffHeapHashTable window = new OffHeapHashTable(mergeSpec, allocator, budgetBytes)) {
            for (OffHeapHashTable p : panes.subMap(start, end).values()) {
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
    private void emit(OffHeapHashTable table, long start, long end, Output out, boolean lateFiring) throws Exception {
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
                for (int a = 0; a < aggregates.length; a++) {
                    if (average[a]) {
                        average(partial, paneColumn[a], all, (Float8Vector) result.vector(3 + a), n);
                    } else {
                        GatherKernel.gatherColumn(partial, paneColumn[a], all, result, 3 + a);
                    }
                }
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

    /** avg = sum / count from a pane result's two columns, for the selected rows; null where nothing was counted. */
    private static void average(RecordBatch partial, int sumColumn, SelectionVector rows, Float8Vector out, int n) {
        FieldVector sums = partial.vector(sumColumn);
        BigIntVector counts = (BigIntVector) partial.vector(sumColumn + 1);
        boolean doubles = sums instanceof Float8Vector;
        for (int i = 0; i < n; i++) {
            int r = rows.get(i);
            long count = counts.get(r);
            if (count == 0 || sums.isNull(r)) {
                out.setNull(i);
            } else {
                double sum = doubles ? ((Float8Vector) sums).get(r) : ((BigIntVector) sums).get(r);
                out.set(i, sum / count);
            }
        }
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        long[] starts = new long[panes.size()];
        TableSnapshot[] snapshots = new TableSnapshot[panes.size()];
        int i = 0;
        try {
            for (Map.Entry<Long, OffHeapHashTable> e : panes.entrySet()) {
                starts[i] = e.getKey();
                snapshots[i] = e.getValue().snapshot();
                i++;
            }
        } catch (RuntimeException e) {
            for (int k = 0; k < i; k++) {
                snapshots[k].close();
            }
            throw e;
        }
        WindowStateIndex index = clock.index(subtask, parallelism, maxParallelism, starts);
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                long bytes = 0;
                for (int p = 0; p < snapshots.length; p++) {
                    long written = snapshots[p].writeTo(WindowStateIndex.paneFile(file, starts[p]), maxParallelism);
                    index.paneBytes()[p] = written;
                    bytes += written;
                }
                return bytes + index.writeTo(file);
            }

            @Override
            public void close() {
                for (TableSnapshot s : snapshots) {
                    s.close();
                }
            }
        };
    }

    /** This subtask's key groups of every pane, read out of every old subtask's files. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        for (Map.Entry<Long, List<Path>> e : clock.restore(restore).entrySet()) {
            OffHeapHashTable table = OffHeapHashTable.restore(paneSpec, allocator, budgetBytes, e.getValue(),
                    restore.keyGroups());
            OffHeapHashTable stale = panes.put(e.getKey(), table);
            if (stale != null) {
                stale.close();
            }
        }
    }

    @Override
    public void close() {
        for (RecordBatch b : lateRows) {
            b.close();
        }
        lateRows.clear();
        for (OffHeapHashTable t : panes.values()) {
            t.close();
        }
        panes.clear();
        if (scratch != null) {
            scratch.close();
        }
    }
}
