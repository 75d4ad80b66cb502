package io.riffle.engine.internal.operator;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.engine.Record;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;

/**
 * A keyed {@link ReduceFunction}: the off-heap table maps each key to a group id; the reduced record of
 * each group is a Java object (a user function's result can be any record), indexed by group id.
 * Streaming emits the reduced record after every input record; batch emits each key's final record
 * when the input ends.
 */
public final class ReduceOperator extends Operator {
    private final ReduceFunction function;
    private final BatchSchema schema;
    private final int keyField;
    private final GroupLookup lookup;
    private final boolean running;
    private final long budgetBytes;
    private final RowView view = new RowView();
    private final List<Tuple> reduced = new ArrayList<>();
    private OffHeapHashTable groups;
    private RecordWriter writer;

    public ReduceOperator(ReduceFunction function, BatchSchema schema, int keyField, boolean running,
                          long budgetBytes) {
        this.function = function;
        this.schema = schema;
        this.keyField = keyField;
        this.lookup = new GroupLookup(keyField);
        this.running = running;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public void open(TaskContext context) {
        groups = new OffHeapHashTable(GroupBySpec.of(schema, keyField, Aggregate.count()), context.allocator(),
                budgetBytes);
        writer = new RecordWriter(context.operatorName(), schema, context.allocator(), context.batchSize());
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        int[] groupIds = lookup.groupIds(batch, groups);
        writer.target(out);
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            int g = groupIds[row];
            Tuple next;
            if (g == reduced.size()) {
                next = Tuple.copyOf(view);
                reduced.add(next);
            } else {
                Record result = function.reduce(reduced.get(g), view);
                if (result == null) {
                    throw new IllegalArgumentException("the reduce function returned null for key "
                            + view.field(keyField));
                }
                next = Tuple.copyOf(result);
                reduced.set(g, next);
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
            for (Tuple t : reduced) {
                writer.collect(t);
            }
            writer.flush();
        }
    }

    /** Refused rather than silently restoring nothing. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        throw new UnsupportedOperationException("reduce keeps its reduced records on the heap and cannot be checkpointed yet: use sum, min, max, count or aggregate, or run without checkpoints");
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
        if (groups != null) {
            groups.close();
        }
    }
}
