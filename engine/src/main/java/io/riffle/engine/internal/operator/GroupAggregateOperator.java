package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;

/**
 * A batch grouped aggregation: folds every input batch into an {@link OffHeapHashTable} and, when the
 * input ends, emits one row per key (the key, then each aggregate) in batches. Used twice in a batch
 * job: as the partial aggregation chained after the source, and as the final one after the shuffle,
 * whose aggregates combine the partial results.
 */
public final class GroupAggregateOperator extends Operator {
    private final GroupBySpec spec;
    private final long budgetBytes;
    private OffHeapHashTable table;
    private TaskContext context;

    public GroupAggregateOperator(GroupBySpec spec, long budgetBytes) {
        this.spec = spec;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public void open(SubtaskContext context) {
        this.context = context;
        table = new OffHeapHashTable(spec, context.allocator(), budgetBytes);
    }

    @Override
    public void process(RecordBatch batch, Output out) {
        table.aggregate(batch);
    }

    @Override
    public void endInput(Output out) throws Exception {
        int groups = table.groupCount();
        for (int from = 0; from < groups; from += context.batchSize()) {
            try (RecordBatch result = table.emit(from, context.batchSize(), context.allocator())) {
                out.emit(result);
            }
        }
    }

    /** Refused rather than silently restoring nothing. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        throw new UnsupportedOperationException("a batch aggregation is not checkpointed: a batch job restarts from the start of its input");
    }

    @Override
    public void close() {
        if (table != null) {
            table.close();
        }
    }
}
