package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;

/**
 * Count windows folded by a user function ({@link WindowFold}): each key's records, in arrival order, are
 * folded into its open window, which fires when its {@code size}-th record arrives, emitting the fold without
 * window bounds, and starts over. Each key's entry {@code (records in the open window, fold fields...)} is
 * in {@link KeyedRecords} (copy-on-write with a checkpoint, written by key group). Windows still open at the
 * end do not fire.
 */
public final class CountWindowFunctionOperator extends Operator {
    private final WindowFold fold;
    private final BatchSchema inputSchema;
    private final BatchSchema entrySchema;
    private final int keyField;
    private final long size;
    private final long budgetBytes;
    private final RowView view = new RowView();
    private KeyedRecords entries;
    private RecordWriter writer;
    private int batchSize;
    private String name;

    public CountWindowFunctionOperator(WindowFold fold, BatchSchema inputSchema, int keyField, long size,
                                       long budgetBytes) {
        this.fold = fold;
        this.inputSchema = inputSchema;
        this.keyField = keyField;
        this.size = size;
        this.budgetBytes = budgetBytes;
        List<Column> entry = new ArrayList<>();
        entry.add(Column.of("window_count", ColumnType.INT64));
        BatchSchema state = fold.stateSchema();
        for (int c = 0; c < state.columnCount(); c++) {
            entry.add(Column.nullable(state.column(c).name(), state.column(c).type()));
        }
        this.entrySchema = BatchSchema.of(entry);
    }

    @Override
    public void open(SubtaskContext context) {
        batchSize = context.batchSize();
        name = context.operatorName();
        int maxParallelism = context.maxParallelism();
        entries = new KeyedRecords(inputSchema.column(keyField), context.allocator(), budgetBytes, maxParallelism);
        writer = new RecordWriter(name, fold.outputSchema(false), context.allocator(), batchSize);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        int[] keyIds = entries.ids(batch, keyField);
        writer.target(out);
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            int key = keyIds[row];
            if (key == entries.size()) {
                entries.add(entry(0, null), entries.keyGroupOfRow(row));
            }
            Tuple entry = entries.get(key);
            long count = entry.getLong(0);
            Tuple folded = count == 0 ? fold.first(view) : fold.add(state(entry), view);
            if (count + 1 == size) {
                writer.collect(fold.emitted(folded, null, null));
                entries.set(key, entry(0, null));
            } else {
                entries.set(key, entry(count + 1, folded));
            }
        }
        writer.flush();
    }

    private Tuple entry(long count, Tuple state) {
        Object[] fields = new Object[entrySchema.columnCount()];
        fields[0] = count;
        if (state != null) {
            for (int f = 0; f < state.arity(); f++) {
                fields[f + 1] = state.field(f);
            }
        }
        return Tuple.of(fields);
    }

    private static Tuple state(Tuple entry) {
        Object[] fields = new Object[entry.arity() - 1];
        for (int f = 0; f < fields.length; f++) {
            fields[f] = entry.field(f + 1);
        }
        return Tuple.of(fields);
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return entries.checkpoint(entrySchema);
    }

    /** This subtask's key groups' open windows out of every old subtask's file; empty ones are left out. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        entries.restore(restore.files(), entrySchema, 1 + fold.keyField(), restore.keyGroups(),
                entry -> entry.getLong(0) > 0, name, batchSize);
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (entries != null) {
            entries.close();
        }
    }
}
