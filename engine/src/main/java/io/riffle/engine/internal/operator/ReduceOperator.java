package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.Record;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A keyed {@link ReduceFunction}: the off-heap table maps each key to a group id; the reduced record of
 * each group is a Java object (a user function's result can be any record), indexed by group id in
 * {@link ReducedRecords}. Streaming emits the reduced record after every input record; batch emits each
 * key's final record when the input ends. A checkpoint shares the record pages copy-on-write and writes
 * the records by key group; a restore re-inserts the keys of its key groups.
 */
public final class ReduceOperator extends Operator {
    private final ReduceFunction function;
    private final BatchSchema schema;
    private final int keyField;
    private final GroupLookup lookup;
    private final boolean running;
    private final long budgetBytes;
    private final RowView view = new RowView();
    private final ReducedRecords reduced = new ReducedRecords();
    private OffHeapHashTable groups;
    private RecordWriter writer;
    private BufferAllocator allocator;
    private int batchSize;
    private int maxParallelism;

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
        allocator = context.allocator();
        batchSize = context.batchSize();
        maxParallelism = context instanceof SubtaskContext s ? s.maxParallelism() : KeyGroups.MAX_KEY_GROUPS;
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        int[] groupIds = lookup.groupIds(batch, groups);
        long[] hashes = lookup.hashes();
        writer.target(out);
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            int g = groupIds[row];
            Tuple next;
            if (g == reduced.size()) {
                next = Tuple.copyOf(view);
                reduced.add(next, KeyGroups.keyGroup(hashes[row], maxParallelism));
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
            for (int g = 0; g < reduced.size(); g++) {
                writer.collect(reduced.get(g));
            }
            writer.flush();
        }
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        ReducedRecords.Snapshot snapshot = reduced.snapshot();
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                return snapshot.writeTo(file, schema, maxParallelism);
            }

            @Override
            public void close() {
            }
        };
    }

    /** The records of this subtask's key groups out of every old subtask's file; their keys go into the table. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        ReducedRecords.restore(restore.files(), schema, keyField, restore.firstKeyGroup(),
                restore.lastKeyGroupExclusive(), groups, lookup, reduced, allocator, batchSize);
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
