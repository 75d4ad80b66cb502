package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.util.Arrays;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;

/**
 * Global windows with a count trigger: each key's records, in the order they arrive, are cut into windows
 * of {@code size}; a window fires when its last record arrives, emitting {@code (key, aggregates...)}, and
 * its key starts over. One off-heap table holds every key's open window (the user's aggregates plus a
 * count). A batch in which no window fills is aggregated as it is; otherwise it is taken in rounds: round
 * r aggregates each key's rows after its r-th filled window in the batch, then emits and resets the keys
 * whose windows filled in that round. Windows still open at end of input do not fire. The table is
 * checkpointed by key group, copy-on-write, as keyed running aggregates are.
 */
public final class CountWindowOperator extends Operator {
    private final BatchSchema inputSchema;
    private final int keyField;
    private final long size;
    private final GroupBySpec spec;
    /** The open windows' aggregates, then their record count. */
    private final int countAggregate;
    private final BatchSchema outputSchema;
    private final long budgetBytes;
    private final GroupLookup lookup;
    private final SelectionVector selection = new SelectionVector(1024);
    private final SelectionVector fillRows = new SelectionVector(1024);
    private OffHeapHashTable table;
    private BufferAllocator allocator;
    private int maxParallelism;
    private RecordBatch scratch;
    private BigIntVector counts;
    /** Per group, rows of it seen in this batch so far. */
    private int[] seen = new int[1024];
    /** Per row, the round it is aggregated in: how many of its key's windows fill before it in the batch. */
    private int[] round = new int[1024];
    /** Per window filled in the batch: its group, the row that filled it, the round. */
    private int[] filled = new int[1024];
    private int[] filledRow = new int[1024];
    private int[] filledRound = new int[1024];
    private int[] groupScratch = new int[1024];

    public CountWindowOperator(BatchSchema inputSchema, int keyField, long size, Aggregate[] aggregates,
                               long budgetBytes) {
        this.inputSchema = inputSchema;
        this.keyField = keyField;
        this.size = size;
        this.budgetBytes = budgetBytes;
        Aggregate[] all = Arrays.copyOf(aggregates, aggregates.length + 1);
        all[aggregates.length] = Aggregate.count().as("window_count");
        this.spec = GroupBySpec.of(inputSchema, keyField, all);
        this.countAggregate = aggregates.length;
        this.outputSchema = GroupBySpec.of(inputSchema, keyField, aggregates).outputSchema();
        this.lookup = new GroupLookup(keyField);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        maxParallelism = context.maxParallelism();
        table = new OffHeapHashTable(spec, allocator, budgetBytes);
        scratch = RecordBatch.allocate(inputSchema, allocator, context.batchSize());
        counts = new BigIntVector("window_count", allocator);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        int[] groupIds = lookup.groupIds(batch, table);
        if (seen.length < table.groupCount()) {
            seen = new int[Math.max(table.groupCount(), seen.length * 2)];
        }
        if (round.length < n) {
            round = new int[n];
            filled = new int[n];
            filledRow = new int[n];
            filledRound = new int[n];
            groupScratch = new int[n];
        }
        table.currentValues(countAggregate, groupIds, n, counts);
        int rounds = 0;
        int fills = 0;
        for (int i = 0; i < n; i++) {
            int g = groupIds[i];
            // The open window holds fewer than size records, so this row is record `at` from its start.
            long at = counts.get(i) + seen[g]++;
            round[i] = (int) (at / size);
            if (at % size == size - 1) {
                filled[fills] = g;
                filledRow[fills] = i;
                filledRound[fills++] = round[i];
                rounds = Math.max(rounds, round[i] + 1);
            }
        }
        for (int i = 0; i < n; i++) {
            seen[groupIds[i]] = 0;
        }
        if (fills == 0) {
            table.accumulate(batch, groupIds);
            return;
        }
        selection.ensureCapacity(n);
        for (int r = 0; r <= rounds; r++) {
            int[] rows = selection.rows();
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (round[i] == r) {
                    rows[count] = i;
                    groupScratch[count++] = groupIds[i];
                }
            }
            if (count > 0) {
                selection.setSize(count);
                GatherKernel.gather(batch, selection, scratch);
                table.accumulate(scratch, groupScratch);
            }
            fillRows.ensureCapacity(fills);
            int done = 0;
            for (int f = 0; f < fills; f++) {
                if (filledRound[f] == r) {
                    fillRows.rows()[done] = filledRow[f];
                    groupScratch[done++] = filled[f];
                }
            }
            if (done > 0) {
                fillRows.setSize(done);
                fire(batch, groupScratch, done, out);
            }
        }
    }

    /** Emits the full windows of groups {@code groups[0 .. n)}, whose keys are in {@link #fillRows} of {@code batch}, and starts them over. */
    private void fire(RecordBatch batch, int[] groups, int n, Output out) throws Exception {
        try (RecordBatch result = RecordBatch.allocate(outputSchema, allocator, n)) {
            GatherKernel.gatherColumn(batch, keyField, fillRows, result, 0);
            for (int a = 0; a < countAggregate; a++) {
                table.currentValues(a, groups, n, result.vector(a + 1));
            }
            result.setRowCount(n);
            out.emit(result);
        }
        table.reset(groups, n);
    }

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
        if (counts != null) {
            counts.close();
        }
        if (scratch != null) {
            scratch.close();
        }
        if (table != null) {
            table.close();
        }
    }
}
