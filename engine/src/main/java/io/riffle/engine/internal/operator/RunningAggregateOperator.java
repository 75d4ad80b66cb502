package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * A streaming keyed aggregation: per input record, the running value of its key's aggregate. Keys and
 * accumulators live in an {@link OffHeapHashTable}. Two output shapes, fixed at plan time: the input
 * record with the aggregated field replaced by the running value (Flink's {@code keyBy(k).sum(f)}), or
 * the key followed by every aggregate ({@code count()}, {@code aggregate(...)}).
 */
public final class RunningAggregateOperator extends Operator {
    private final GroupBySpec spec;
    private final BatchSchema outputSchema;
    /** The field replaced by the running value, or -1 for the key-and-aggregates shape. */
    private final int replacedField;
    private final long budgetBytes;
    private final GroupLookup lookup;
    private final FieldVector[] aggregateOutputs;
    private OffHeapHashTable table;
    private BufferAllocator allocator;
    private int maxParallelism;
    private RecordBatch output;

    private RunningAggregateOperator(GroupBySpec spec, BatchSchema outputSchema, int replacedField, long budgetBytes) {
        this.spec = spec;
        this.outputSchema = outputSchema;
        this.replacedField = replacedField;
        this.budgetBytes = budgetBytes;
        this.lookup = new GroupLookup(spec.keyField());
        this.aggregateOutputs = new FieldVector[spec.aggregateCount()];
    }

    /** The input schema with {@code field} replaced by the single aggregate's result column, named as the field. */
    public static BatchSchema replacedSchema(GroupBySpec spec, int field) {
        BatchSchema in = spec.inputSchema();
        Column result = spec.outputSchema().column(1);
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < in.columnCount(); c++) {
            columns.add(c == field ? new Column(in.column(c).name(), result.type(), result.nullable()) : in.column(c));
        }
        return BatchSchema.of(columns);
    }

    /** Emits the input record with {@code field} replaced by the running value of the spec's one aggregate. */
    public static RunningAggregateOperator replacing(GroupBySpec spec, int field, long budgetBytes) {
        return new RunningAggregateOperator(spec, replacedSchema(spec, field), field, budgetBytes);
    }

    /** Emits the key and the running value of every aggregate. */
    public static RunningAggregateOperator keyAndAggregates(GroupBySpec spec, long budgetBytes) {
        return new RunningAggregateOperator(spec, spec.outputSchema(), -1, budgetBytes);
    }

    @Override
    public void open(TaskContext context) {
        allocator = context.allocator();
        maxParallelism = context instanceof SubtaskContext s ? s.maxParallelism() : KeyGroups.MAX_KEY_GROUPS;
        table = new OffHeapHashTable(spec, allocator, budgetBytes);
        output = RecordBatch.allocate(outputSchema, context.allocator(), context.batchSize());
        for (int a = 0; a < aggregateOutputs.length; a++) {
            aggregateOutputs[a] = output.vector(replacedField >= 0 ? replacedField : a + 1);
        }
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        int[] groupIds = lookup.groupIds(batch, table);
        if (replacedField >= 0) {
            for (int c = 0; c < batch.columnCount(); c++) {
                if (c != replacedField) {
                    GatherKernel.copyRows(batch, c, n, output, c);
                }
            }
        } else {
            GatherKernel.copyRows(batch, spec.keyField(), n, output, 0);
        }
        table.accumulateRunning(batch, groupIds, aggregateOutputs);
        output.setRowCount(n);
        out.emit(output);
    }

    /**
     * Copy-on-write: the table marks its pages shared (no state is copied here) and the checkpoint thread
     * writes them by key group while this subtask keeps aggregating.
     */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return KeyedTableState.snapshot(table, maxParallelism);
    }

    /** This subtask's key groups, read out of every old subtask's state file. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        table = KeyedTableState.restore(table, spec, allocator, budgetBytes, restore);
    }

    @Override
    public void close() {
        if (output != null) {
            output.close();
        }
        if (table != null) {
            table.close();
        }
    }
}
