package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.Record;
import io.riffle.engine.TimeWindow;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Count windows that need their records, Flink's {@code countWindow(size, slide)} (a global window, a count
 * evictor of {@code size} and a count trigger of {@code slide}) and count windows handed to a
 * {@link ProcessWindowFunction}: every {@code slide}-th record of a key fires a window of the key's last
 * {@code size} records (all of them while it has fewer), in arrival order. A window's records are given to a
 * process function, folded by a {@link WindowFold} from the first, or aggregated by {@link Aggregate}s in a
 * table (emitting {@code (key, aggregates...)}). Each key keeps only the records a later window may hold:
 * after a firing, its last {@code size - slide}. The kept records are immutable tuples per key, counted
 * against the state budget; a checkpoint writes them by key group, each as {@code (window_count, record...)}
 * with its key's records since the last firing.
 */
public final class CountWindowProcessOperator extends Operator {
    private final ProcessWindowFunction function;
    private final Aggregate[] aggregates;
    private final BatchSchema inputSchema;
    private final BatchSchema outputSchema;
    private final BatchSchema stateSchema;
    private final int keyField;
    private final long size;
    private final long slide;
    private final long budgetBytes;
    private final RowView view = new RowView();
    private final List<ArrayDeque<Tuple>> kept = new ArrayList<>();
    /** Per key id: its records since its last firing. */
    private long[] pending = new long[1024];
    private KeyedRecords keys;
    private RecordWriter writer;
    private BufferAllocator allocator;
    private OffHeapHashTable table;
    private String name;
    private int batchSize;
    private int maxParallelism;
    /** An estimate of the kept records' heap bytes, checked against the state budget. */
    private long keptBytes;

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
        List<Column> state = new ArrayList<>();
        state.add(Column.of("window_count", ColumnType.INT64));
        for (int c = 0; c < inputSchema.columnCount(); c++) {
            state.add(inputSchema.column(c));
        }
        this.stateSchema = BatchSchema.of(state);
    }

    @Override
    public void open(TaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        name = context.operatorName();
        maxParallelism = context instanceof SubtaskContext s ? s.maxParallelism() : KeyGroups.MAX_KEY_GROUPS;
        keys = new KeyedRecords(inputSchema.column(keyField), allocator, budgetBytes, maxParallelism);
        writer = new RecordWriter(name, outputSchema, allocator, batchSize);
        if (aggregates != null) {
            table = new OffHeapHashTable(GroupBySpec.of(inputSchema, keyField, aggregates), allocator, budgetBytes);
        }
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        int[] ids = keys.ids(batch, keyField);
        writer.target(out);
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            int id = ids[row];
            if (id == keys.size()) {
                newKey(Tuple.of(view.field(keyField)), keys.keyGroupOfRow(row));
            }
            keep(id, Tuple.copyOf(view));
            if (++pending[id] == slide) {
                fire(id, out);
            }
        }
        writer.flush();
    }

    private void newKey(Tuple key, int keyGroup) {
        int id = keys.size();
        keys.add(key, keyGroup);
        kept.add(new ArrayDeque<>());
        if (pending.length == id) {
            pending = Arrays.copyOf(pending, id * 2);
        }
        pending[id] = 0;
    }

    /** Adds {@code record} to the key's records, letting go of the oldest beyond {@code size}. */
    private void keep(int id, Tuple record) {
        ArrayDeque<Tuple> records = kept.get(id);
        records.addLast(record);
        keptBytes += bytes(record);
        if (records.size() > size) {
            keptBytes -= bytes(records.removeFirst());
        }
        if (keptBytes > budgetBytes) {
            throw new MemoryBudgetExceededException(name + ": the count windows' records need about " + keptBytes
                    + " bytes, more than the state budget of " + budgetBytes + " bytes; raise it with"
                    + " Environment.setStateBudget, or use smaller windows", keptBytes, budgetBytes);
        }
    }

    /** A rough size of a kept record on the heap: its tuple, a reference and a box per field, strings' bytes. */
    private static long bytes(Tuple record) {
        long bytes = 32 + 24L * record.arity();
        for (int f = 0; f < record.arity(); f++) {
            if (record.field(f) instanceof String s) {
                bytes += 40 + s.length();
            }
        }
        return bytes;
    }

    /** Fires the key's window (its kept records), then keeps only the records the next window may hold. */
    private void fire(int id, Output out) throws Exception {
        pending[id] = 0;
        ArrayDeque<Tuple> records = kept.get(id);
        Object key = keys.get(id).field(0);
        if (aggregates != null) {
            aggregate(records, out);
        } else {
            Iterable<Record> window = () -> {
                Iterator<Tuple> it = records.iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return it.hasNext();
                    }

                    @Override
                    public Record next() {
                        return it.next();
                    }
                };
            };
            function.process(key, TimeWindow.GLOBAL, window, writer);
        }
        while (records.size() > Math.max(0, size - slide)) {
            keptBytes -= bytes(records.removeFirst());
        }
    }

    /** The window's aggregates: its records in one batch, aggregated in the table's only group, emitted and reset. */
    private void aggregate(ArrayDeque<Tuple> records, Output out) throws Exception {
        writer.flush();
        RecordBatchBuilder builder = new RecordBatchBuilder(inputSchema, allocator, records.size());
        for (Tuple t : records) {
            builder.addRow(t);
        }
        try (RecordBatch window = builder.build()) {
            int[] group = new int[window.rowCount()];
            table.findOrInsert(window, group);
            table.accumulate(window, group);
            try (RecordBatch result = table.emit(group[0], 1, allocator)) {
                out.emit(result);
            }
            table.reset(group, 1);
        }
    }

    /** The kept records of every key, each as {@code (window_count, record...)}, written by key group. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        ReducedRecords state = new ReducedRecords();
        for (int id = 0; id < keys.size(); id++) {
            for (Tuple record : kept.get(id)) {
                Object[] fields = new Object[record.arity() + 1];
                fields[0] = pending[id];
                for (int f = 0; f < record.arity(); f++) {
                    fields[f + 1] = record.field(f);
                }
                state.add(Tuple.of(fields), keys.keyGroup(id));
            }
        }
        ReducedRecords.Snapshot snapshot = state.snapshot();
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                return snapshot.writeTo(file, stateSchema, maxParallelism);
            }

            @Override
            public void close() {
            }
        };
    }

    /** This subtask's key groups' kept records out of every old subtask's file, in their order. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        List<Tuple> restored = new ArrayList<>();
        List<Integer> keyGroups = new ArrayList<>();
        for (Path file : restore.files()) {
            ReducedRecords.read(file, stateSchema, restore.firstKeyGroup(), restore.lastKeyGroupExclusive(),
                    (record, keyGroup) -> {
                        restored.add(record);
                        keyGroups.add(keyGroup);
                    });
        }
        int[] ids = keys.idsOf(restored, 1 + keyField, batchSize);
        for (int i = 0; i < restored.size(); i++) {
            Tuple state = restored.get(i);
            if (ids[i] == keys.size()) {
                newKey(Tuple.of(state.field(1 + keyField)), keyGroups.get(i));
            } else if (ids[i] > keys.size()) {
                throw new CorruptCheckpointException(name + ": the state's records of key " + state.field(1 + keyField)
                        + " are not together");
            }
            Object[] fields = new Object[state.arity() - 1];
            for (int f = 0; f < fields.length; f++) {
                fields[f] = state.field(f + 1);
            }
            pending[ids[i]] = state.getLong(0);
            keep(ids[i], Tuple.of(fields));
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (table != null) {
            table.close();
        }
        if (keys != null) {
            keys.close();
        }
    }
}
