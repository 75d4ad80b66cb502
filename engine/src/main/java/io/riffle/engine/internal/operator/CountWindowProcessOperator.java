package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.Record;
import io.riffle.engine.TimeWindow;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;

/**
 * Count windows that need their records, Flink's {@code countWindow(size, slide)} (a global window, a count
 * evictor of {@code size} and a count trigger of {@code slide}) and count windows handed to a
 * {@link ProcessWindowFunction}: every {@code slide}-th record of a key fires a window of the key's last
 * {@code size} records (all of them while it has fewer), in arrival order. A window's records are given to a
 * process function, folded by a {@link WindowFold} from the first, or aggregated by {@link Aggregate}s in a
 * table (emitting {@code (key, aggregates...)}).
 *
 * <p>Every record is kept once, off-heap, with its number among its key's records ({@code window_seq}) in a
 * {@link JoinBuffer} (columnar segments chained by key); a firing walks the key's chains newest first down to
 * the window's first number. Records no later window can hold (numbered at or below the key's count at its
 * last firing plus {@code slide - size}) are swept out once the buffer has doubled (or holds more than
 * {@link JoinBuffer#MAX_SEGMENTS} segments, which checkpoints seal). Per key its count and its count at its
 * last firing are checkpointed by key group, its records beside them ({@link JoinState}).
 */
public final class CountWindowProcessOperator extends Operator {
    /** The fewest rows a sweep of records no window needs waits for. */
    private static final int MIN_SWEEP_ROWS = 1 << 13;

    private final ProcessWindowFunction function;
    private final Aggregate[] aggregates;
    private final BatchSchema inputSchema;
    private final BatchSchema outputSchema;
    /** The input's columns, then {@code window_seq}. */
    private final BatchSchema storedSchema;
    /** Per key: {@code (key, window_count, fired_at)}. */
    private final BatchSchema keySchema;
    private final int[] inputColumns;
    private final int keyField;
    private final int seqField;
    private final long size;
    private final long slide;
    private final long budgetBytes;
    private final WindowRows windowRows = new WindowRows();
    private final SelectionVector selection = new SelectionVector(1024);
    private KeyedRecords keys;
    /** Per key id: its records so far, and that count at its last firing. */
    private long[] counts = new long[1024];
    private long[] firedAt = new long[1024];
    private JoinBuffer buffer;
    private RecordBatch stored;
    /** Aggregates: a window's rows of one segment. */
    private RecordBatch windowPart;
    /** Per segment, a view of its input columns, and the group of each row's key of the batch being fired. */
    private RecordBatch[] views = new RecordBatch[0];
    private int[][] groups = new int[0][];
    private long[] hashes = new long[0];
    /** Aggregates: the table's group of each row of {@link #windowPart}, and the one group fired. */
    private int[] partGroups = new int[0];
    private final int[] firedGroup = new int[1];
    private final RowView resultRow = new RowView();
    private RecordWriter writer;
    private OffHeapHashTable table;
    private BufferAllocator allocator;
    private String name;
    private int batchSize;
    private int subtask;
    private int parallelism;
    private int maxParallelism;
    private int liveAfterSweep;

    /** A window's records to {@code function}, which emits records of {@code outputSchema}. */
    public static CountWindowProcessOperator processing(ProcessWindowFunction function, BatchSchema outputSchema,
                                                        BatchSchema inputSchema, int keyField, long size, long slide,
                                                        long budgetBytes) {
        return new CountWindowProcessOperator(function, null, outputSchema, inputSchema, keyField, size, slide,
                budgetBytes);
    }

    /** A window's records folded by {@code fold} from the first, emitted without window bounds. */
    public static CountWindowProcessOperator folding(WindowFold fold, BatchSchema inputSchema, int keyField, long size,
                                                     long slide, long budgetBytes) {
        ProcessWindowFunction folded = (key, window, records, out) -> {
            Tuple f = null;
            for (Record r : records) {
                f = f == null ? fold.first(r) : fold.add(f, r);
            }
            out.collect(fold.emitted(f, null, null));
        };
        return new CountWindowProcessOperator(folded, null, fold.outputSchema(false), inputSchema, keyField, size, slide,
                budgetBytes);
    }

    /** A window's records aggregated, emitted as {@code (key, aggregates...)}. */
    public static CountWindowProcessOperator aggregating(Aggregate[] aggregates, BatchSchema inputSchema, int keyField,
                                                         long size, long slide, long budgetBytes) {
        return new CountWindowProcessOperator(null, aggregates.clone(),
                GroupBySpec.of(inputSchema, keyField, aggregates).outputSchema(), inputSchema, keyField, size, slide,
                budgetBytes);
    }

    private CountWindowProcessOperator(ProcessWindowFunction function, Aggregate[] aggregates, BatchSchema outputSchema,
                                       BatchSchema inputSchema, int keyField, long size, long slide, long budgetBytes) {
        this.function = function;
        this.aggregates = aggregates;
        this.outputSchema = outputSchema;
        this.inputSchema = inputSchema;
        this.keyField = keyField;
        this.size = size;
        this.slide = slide;
        this.budgetBytes = budgetBytes;
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < inputSchema.columnCount(); c++) {
            columns.add(inputSchema.column(c));
        }
        columns.add(Column.of("window_seq", ColumnType.INT64));
        this.storedSchema = BatchSchema.of(columns);
        this.seqField = inputSchema.columnCount();
        this.inputColumns = new int[inputSchema.columnCount()];
        for (int c = 0; c < inputColumns.length; c++) {
            inputColumns[c] = c;
        }
        this.keySchema = BatchSchema.of(inputSchema.column(keyField), Column.of("window_count", ColumnType.INT64),
                Column.of("fired_at", ColumnType.INT64));
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        name = context.operatorName();
        subtask = context.subtask();
        parallelism = context.parallelism();
        maxParallelism = context.maxParallelism();
        keys = new KeyedRecords(inputSchema.column(keyField), allocator, budgetBytes, maxParallelism);
        buffer = new JoinBuffer(storedSchema, keyField, EventTimeField.of(seqField), Long.MAX_VALUE, allocator, budgetBytes);
        stored = RecordBatch.allocate(storedSchema, allocator, batchSize);
        writer = new RecordWriter(name, outputSchema, allocator, batchSize);
        if (aggregates != null) {
            table = new OffHeapHashTable(GroupBySpec.of(inputSchema, keyField, aggregates), allocator, budgetBytes);
            windowPart = RecordBatch.allocate(inputSchema, allocator, batchSize);
        }
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        int[] ids = keys.ids(batch, keyField);
        stored.ensureCapacity(n);
        for (int c = 0; c < inputColumns.length; c++) {
            GatherKernel.copyRows(batch, c, n, stored, c);
        }
        BigIntVector seqs = stored.int64(seqField);
        for (int row = 0; row < n; row++) {
            int id = ids[row];
            if (id == keys.size()) {
                newKey(Tuple.of(batch.value(row, keyField)), keys.keyGroupOfRow(row));
            }
            seqs.setSafe(row, ++counts[id]);
        }
        stored.setRowCount(n);
        buffer.add(stored);
        checkBudget();
        boolean lookedUp = false;
        writer.target(out);
        for (int row = 0; row < n; row++) {
            int id = ids[row];
            long seq = seqs.get(row);
            if (seq - firedAt[id] == slide) {
                if (!lookedUp) {
                    lookUp(batch);
                    lookedUp = true;
                }
                fire(id, row, seq);
                firedAt[id] = seq;
            }
        }
        writer.flush();
        if (buffer.rowCount() >= 2 * liveAfterSweep + MIN_SWEEP_ROWS || buffer.segmentCount() > JoinBuffer.MAX_SEGMENTS) {
            buffer.retain(this::selectNeeded);
            liveAfterSweep = buffer.rowCount();
        }
    }

    private void newKey(Tuple key, int keyGroup) {
        int id = keys.size();
        keys.add(key, keyGroup);
        if (counts.length == id) {
            counts = Arrays.copyOf(counts, id * 2);
            firedAt = Arrays.copyOf(firedAt, id * 2);
        }
        counts[id] = 0;
        firedAt[id] = 0;
    }

    private void checkBudget() {
        long bytes = buffer.bytes();
        if (bytes > budgetBytes) {
            throw new MemoryBudgetExceededException(name + ": the count windows' records need " + bytes
                    + " bytes, more than the state budget of " + budgetBytes + " bytes; raise it with"
                    + " Environment.setStateBudget, or use smaller windows", bytes, budgetBytes);
        }
    }

    /** Per segment: a view of its input columns and the group of each of {@code batch}'s keys in it. */
    private void lookUp(RecordBatch batch) {
        int n = batch.rowCount();
        int segments = buffer.segmentCount();
        if (views.length < segments) {
            views = Arrays.copyOf(views, segments);
            groups = Arrays.copyOf(groups, segments);
        }
        if (hashes.length < n) {
            hashes = new long[n];
        }
        HashKernel.hash(batch, new int[] {keyField}, hashes);
        for (int s = 0; s < segments; s++) {
            KeyedRows rows = buffer.segment(s).rows;
            if (views[s] == null) {
                views[s] = RecordBatch.view(inputSchema);
            }
            views[s].show(rows.rows(), inputColumns);
            if (groups[s] == null || groups[s].length < n) {
                groups[s] = new int[n];
            }
            rows.find(batch.vector(keyField), n, hashes, groups[s]);
        }
    }

    /** Fires key {@code id}'s window ending at its record {@code seq} (row {@code row} of the batch). */
    private void fire(int id, int row, long seq) throws Exception {
        windowRows.clear();
        long first = seq - size;
        for (int s = buffer.segmentCount() - 1; s >= 0; s--) {
            int g = groups[s][row];
            if (g < 0) {
                continue;
            }
            KeyedRows rows = buffer.segment(s).rows;
            long seqs = rows.rows().vector(seqField).getDataBufferAddress();
            int r = rows.last(g);
            for (; r != KeyedRows.NO_ROW; r = rows.previous(r)) {
                long q = MemoryUtil.getLong(seqs + ((long) r << 3));
                if (q <= first) {
                    break;
                }
                // Later records of the batch are appended already; they belong to later windows.
                if (q <= seq) {
                    windowRows.add(views[s], r);
                }
            }
            if (r != KeyedRows.NO_ROW) {
                // Older segments hold only records older still.
                break;
            }
        }
        windowRows.reverse();
        if (aggregates != null) {
            aggregate();
        } else {
            function.process(keys.get(id).field(0), TimeWindow.GLOBAL, windowRows, writer);
        }
    }

    /**
     * The window's aggregates: its rows, a segment's at a time, into the table's group of the key, collected
     * into the output batch and reset.
     */
    private void aggregate() {
        for (int from = 0; from < windowRows.count(); ) {
            RecordBatch segment = windowRows.batch(from);
            int to = from;
            selection.ensureCapacity(windowRows.count());
            int[] rows = selection.rows();
            while (to < windowRows.count() && windowRows.batch(to) == segment) {
                rows[to - from] = windowRows.row(to);
                to++;
            }
            selection.setSize(to - from);
            GatherKernel.gather(segment, selection, windowPart);
            if (partGroups.length < to - from) {
                partGroups = new int[to - from];
            }
            table.findOrInsert(windowPart, partGroups);
            table.accumulate(windowPart, partGroups);
            firedGroup[0] = partGroups[0];
            from = to;
        }
        try (RecordBatch result = table.emit(firedGroup[0], 1, allocator)) {
            resultRow.point(result, 0);
            writer.collect(resultRow);
        }
        table.reset(firedGroup, 1);
    }

    /** Selects into {@code out} the rows of {@code rows} that a later window may hold; returns how many. */
    private int selectNeeded(RecordBatch rows, SelectionVector out) {
        int n = rows.rowCount();
        int[] ids = keys.ids(rows, keyField);
        out.ensureCapacity(n);
        int[] selected = out.rows();
        long seqs = rows.vector(seqField).getDataBufferAddress();
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (MemoryUtil.getLong(seqs + ((long) i << 3)) > firedAt[ids[i]] + slide - size) {
                selected[count++] = i;
            }
        }
        out.setSize(count);
        return count;
    }

    /** Per key its counts, by key group; its records beside them, shared with the buffer until written. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        ReducedRecords perKey = new ReducedRecords();
        for (int id = 0; id < keys.size(); id++) {
            perKey.add(Tuple.of(keys.get(id).field(0), counts[id], firedAt[id]), keys.keyGroup(id));
        }
        ReducedRecords.Snapshot keySnapshot = perKey.snapshot();
        JoinBuffer.Snapshot[] rows = {buffer.snapshot()};
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws Exception {
                return keySnapshot.writeTo(file, keySchema, maxParallelism) + JoinState.write(JoinState.recordsFile(file),
                        Long.MIN_VALUE, subtask, parallelism, maxParallelism, rows, allocator);
            }

            @Override
            public void close() {
                rows[0].close();
            }
        };
    }

    /** This subtask's key groups' counts and records out of every old subtask's files. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        List<Tuple> restored = new ArrayList<>();
        List<Integer> keyGroups = new ArrayList<>();
        for (Path file : restore.files()) {
            ReducedRecords.read(file, keySchema, restore.keyGroups(), (record, keyGroup) -> {
                        restored.add(record);
                        keyGroups.add(keyGroup);
                    });
            JoinState.read(JoinState.recordsFile(file), restore.keyGroups(), new JoinBuffer[] {buffer}, allocator);
        }
        int[] ids = keys.idsOf(restored, 0, batchSize);
        for (int i = 0; i < restored.size(); i++) {
            if (ids[i] != keys.size()) {
                throw new CorruptCheckpointException(name + ": the state holds key " + restored.get(i).field(0)
                        + " twice");
            }
            newKey(Tuple.of(restored.get(i).field(0)), keyGroups.get(i));
            counts[ids[i]] = restored.get(i).getLong(1);
            firedAt[ids[i]] = restored.get(i).getLong(2);
        }
        liveAfterSweep = buffer.rowCount();
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (table != null) {
            table.close();
        }
        if (windowPart != null) {
            windowPart.close();
        }
        if (stored != null) {
            stored.close();
        }
        if (buffer != null) {
            buffer.close();
        }
        if (keys != null) {
            keys.close();
        }
    }
}
