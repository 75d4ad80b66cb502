package io.riffle.engine.internal.operator;

import java.io.IOException;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Record;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;

/**
 * A keyed {@link ReduceFunction}: each key's reduced record is a Java object (a user function's result can
 * be any record) in {@link KeyedRecords}, by the key's off-heap id. Streaming emits the reduced record after every input record; batch emits each
 * key's final record when the input ends. A checkpoint shares the record pages copy-on-write and writes
 * the records by key group; a restore re-inserts the keys of its key groups.
 */
public final class ReduceOperator extends Operator {
    private final ReduceFunction function;
    private final BatchSchema schema;
    private final int keyField;
    private final boolean running;
    private final long budgetBytes;
    private final RowView view = new RowView();
    private KeyedRecords reduced;
    private RecordWriter writer;
    private String name;
    private int batchSize;

    public ReduceOperator(ReduceFunction function, BatchSchema schema, int keyField, boolean running,
                          long budgetBytes) {
        this.function = function;
        this.schema = schema;
        this.keyField = keyField;
        this.running = running;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public void open(SubtaskContext context) {
        name = context.operatorName();
        writer = new RecordWriter(name, schema, context.allocator(), context.batchSize());
        batchSize = context.batchSize();
        int maxParallelism = context.maxParallelism();
        reduced = new KeyedRecords(schema.column(keyField), context.allocator(), budgetBytes, maxParallelism);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        int[] groupIds = reduced.ids(batch, keyField);
        writer.target(out);
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            int g = groupIds[row];
            Tuple next;
            if (g == reduced.size()) {
                next = Tuple.copyOf(view);
                reduced.add(next, reduced.keyGroupOfRow(row));
            } else {
                Tuple current = reduced.get(g);
                Record result = function.reduce(current, view);
                if (result == null) {
                    throw new IllegalArgumentException("the reduce function returned null for key "
                            + view.field(keyField));
                }
                // The kept record handed back (minBy, maxBy) is immutable and checked already: no copy.
                if (result != current) {
                    next = Tuple.copyOf(SchemaCheck.fitting(result, schema, "the reduce function returned",
                            "input schema"));
                    reduced.set(g, next);
                } else {
                    next = current;
                }
            }
            if (running) {
                writer.collect(next);
            }
        }
        writer.flush();
    }

    @Override
    public void endInput(Output out) {
        if (!running) {
            writer.target(out);
            for (int g = 0; g < reduced.size(); g++) {
                writer.collect(reduced.get(g));
            }
            writer.flush();
        }
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return reduced.checkpoint(schema);
    }

    /** The records of this subtask's key groups out of every old subtask's file; their keys go into the table. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        reduced.restore(restore.files(), schema, keyField, restore.keyGroups(),
                record -> true, name, batchSize);
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (reduced != null) {
            reduced.close();
        }
    }
}
