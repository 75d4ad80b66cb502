package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.Validity;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * A batch hash join, inner or left outer, on one key field per side. Input 1 (the right side) is the build
 * side: its rows are appended into one columnar store whose off-heap key table maps each key to a chain of
 * its rows ({@link KeyedRows}). Input 0 (the left side) probes: a batch's keys are hashed and looked up at
 * once ({@link OffHeapHashTable#find}), matches are collected as pairs of row indexes, and each output
 * batch is gathered column by column from the probe batch and the store. Left batches that arrive before
 * the build side has ended are copied and probed when it ends. Output: the left columns, then the right
 * columns but its key; a left join's right columns are null where nothing matched.
 */
public final class HashJoinOperator extends Operator {
    private final BatchSchema leftSchema;
    private final BatchSchema rightSchema;
    private final int leftKey;
    private final int rightKey;
    private final int[] leftKeyColumn;
    private final boolean leftOuter;
    private final BatchSchema outputSchema;
    private final long budgetBytes;
    /** The right columns in the output, in order: every right column but the key. */
    private final int[] rightColumns;
    private BufferAllocator allocator;
    private int batchSize;
    private KeyedRows store;
    /** The store's rows once the build side has ended; null before. */
    private RecordBatch built;
    private long[] hashes = new long[1024];
    private int[] groupIds = new int[1024];
    private final List<RecordBatch> waiting = new ArrayList<>();
    private final SelectionVector all = new SelectionVector(1024);
    private SelectionVector leftRows;
    private SelectionVector rightRows;
    private boolean[] unmatched = new boolean[0];
    /** The output batch, refilled for every emit: downstream consumes it during the call. */
    private RecordBatch result;
    /** The left columns, in order: a one-to-one join without right columns passes them on as {@link #leftView}. */
    private final int[] leftColumns;
    private RecordBatch leftView;

    public HashJoinOperator(BatchSchema leftSchema, BatchSchema rightSchema, int leftKey, int rightKey,
                            boolean leftOuter, long budgetBytes) {
        this.leftSchema = leftSchema;
        this.rightSchema = rightSchema;
        this.leftKey = leftKey;
        this.rightKey = rightKey;
        this.leftKeyColumn = new int[] {leftKey};
        this.leftOuter = leftOuter;
        this.budgetBytes = budgetBytes;
        this.outputSchema = outputSchema(leftSchema, rightSchema, rightKey, leftOuter);
        this.leftColumns = new int[leftSchema.columnCount()];
        for (int c = 0; c < leftColumns.length; c++) {
            leftColumns[c] = c;
        }
        this.rightColumns = new int[rightSchema.columnCount() - 1];
        for (int c = 0, k = 0; c < rightSchema.columnCount(); c++) {
            if (c != rightKey) {
                rightColumns[k++] = c;
            }
        }
    }

    /**
     * The left columns, then the right ones but the key; a right column named like a left one is prefixed
     * {@code right_}; with a left outer join the right columns are nullable.
     */
    public static BatchSchema outputSchema(BatchSchema left, BatchSchema right, int rightKey, boolean leftOuter) {
        List<Column> columns = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < left.columnCount(); c++) {
            columns.add(left.column(c));
            names.add(left.column(c).name());
        }
        for (int c = 0; c < right.columnCount(); c++) {
            if (c == rightKey) {
                continue;
            }
            Column column = right.column(c);
            String name = names.contains(column.name()) ? "right_" + column.name() : column.name();
            names.add(name);
            columns.add(leftOuter || column.nullable() ? Column.nullable(name, column.type()) : Column.of(name, column.type()));
        }
        return BatchSchema.of(columns);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        store = new KeyedRows(rightSchema, rightKey, allocator, budgetBytes);
        leftRows = new SelectionVector(batchSize);
        rightRows = new SelectionVector(batchSize);
        result = RecordBatch.allocate(outputSchema, allocator, batchSize);
        leftView = RecordBatch.view(outputSchema);
    }

    @Override
    public void process(RecordBatch batch, Output out) {
        throw new IllegalStateException("a join is told which input a batch comes from");
    }

    @Override
    public void process(int input, RecordBatch batch, Output out) throws Exception {
        if (input == 1) {
            build(batch);
        } else if (built != null) {
            probe(batch, out);
        } else {
            RecordBatch copy = RecordBatch.allocate(leftSchema, allocator, batch.rowCount());
            all.ensureCapacity(batch.rowCount());
            all.selectAll(batch.rowCount());
            GatherKernel.gather(batch, all, copy);
            waiting.add(copy);
        }
    }

    /** The left side is taken once the build side has ended; before, a left batch would have to wait as a copy. */
    @Override
    public boolean acceptsInput(int input) {
        return input != 0 || built != null;
    }

    /** Appends the rows to the store, chained under their keys. */
    private void build(RecordBatch batch) {
        if (batch.rowCount() > 0 && Validity.hasNulls(batch.vector(rightKey))) {
            throw new IllegalArgumentException("null key in join key " + rightSchema.describe(rightKey)
                    + " of the right side; join keys must not be null");
        }
        store.append(batch);
    }

    /** The build side is complete: probe what waited for it. */
    @Override
    public void endOfInput(int input, Output out) throws Exception {
        if (input != 1) {
            return;
        }
        built = store.rows();
        for (RecordBatch w : waiting) {
            try (w) {
                probe(w, out);
            }
        }
        waiting.clear();
    }

    private void probe(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        ensureScratch(n);
        long[] probeHashes = null;
        if (store.needsHashes()) {
            HashKernel.hash(batch, leftKeyColumn, hashes);
            probeHashes = hashes;
        }
        store.find(batch.vector(leftKey), n, probeHashes, groupIds);
        if (probeOneToOne(batch, n, out)) {
            return;
        }
        int[] left = leftRows.rows();
        int[] right = rightRows.rows();
        int count = 0;
        for (int i = 0; i < n; i++) {
            int g = groupIds[i];
            if (g < 0) {
                if (leftOuter) {
                    unmatched[count] = true;
                    left[count] = i;
                    right[count++] = 0;
                    count = emitIfFull(batch, count, out);
                }
                continue;
            }
            for (int row = store.last(g); row != KeyedRows.NO_ROW; row = store.previous(row)) {
                unmatched[count] = false;
                left[count] = i;
                right[count++] = row;
                count = emitIfFull(batch, count, out);
            }
        }
        emit(batch, count, out);
    }

    /**
     * The common case of a key join, every left row matching exactly one right row: the output is the left
     * batch beside the right rows in left order, so the left columns are copied whole (or, with no right
     * column to add, passed on as a view) and no pairs are collected. False, having emitted nothing, when
     * some row matches none or several, or the batch is larger than an output batch.
     */
    private boolean probeOneToOne(RecordBatch batch, int n, Output out) throws Exception {
        if (n > batchSize || batch.selection() != null) {
            return false;
        }
        int[] right = rightRows.rows();
        for (int i = 0; i < n; i++) {
            int g = groupIds[i];
            if (g < 0) {
                return false;
            }
            int row = store.last(g);
            if (store.previous(row) != KeyedRows.NO_ROW) {
                return false;
            }
            right[i] = row;
        }
        if (rightColumns.length == 0) {
            leftView.show(batch, leftColumns);
            out.emit(leftView);
            return true;
        }
        rightRows.setSize(n);
        emitPairs(batch, n, true, false, out);
        return true;
    }

    private int emitIfFull(RecordBatch batch, int count, Output out) throws Exception {
        if (count < batchSize) {
            return count;
        }
        emit(batch, count, out);
        return 0;
    }

    /** One output batch of the first {@code count} pairs of rows (left of {@code batch}, right of the store). */
    private void emit(RecordBatch batch, int count, Output out) throws Exception {
        if (count == 0) {
            return;
        }
        leftRows.setSize(count);
        rightRows.setSize(count);
        boolean leftDense = batch.selection() == null && isPrefix(leftRows.rows(), count);
        emitPairs(batch, count, leftDense, leftOuter, out);
    }

    /**
     * The output batch of the first {@code count} pairs of {@link #leftRows} and {@link #rightRows}: the left
     * columns copied whole when {@code leftDense} (the left rows are 0, 1, ... in order), else gathered; the
     * right columns gathered, and with {@code nulls} null where the left row matched nothing.
     */
    private void emitPairs(RecordBatch batch, int count, boolean leftDense, boolean nulls, Output out)
            throws Exception {
        for (int c = 0; c < leftSchema.columnCount(); c++) {
            if (leftDense) {
                GatherKernel.copyRows(batch, c, count, result, c);
            } else {
                GatherKernel.gatherColumn(batch, c, leftRows, result, c);
            }
        }
        int offset = leftSchema.columnCount();
        for (int k = 0; k < rightColumns.length; k++) {
            FieldVector v = result.vector(offset + k);
            if (built.rowCount() > 0) {
                GatherKernel.gatherColumn(built, rightColumns[k], rightRows, result, offset + k);
            }
            if (nulls) {
                for (int i = 0; i < count; i++) {
                    if (unmatched[i] || built.rowCount() == 0) {
                        v.setNull(i);
                    }
                }
            }
        }
        result.setRowCount(count);
        out.emit(result);
    }

    /** Whether {@code rows[0 .. count - 1]} are {@code 0, 1, ..., count - 1}: each left row matched once, in order. */
    private static boolean isPrefix(int[] rows, int count) {
        for (int j = 0; j < count; j++) {
            if (rows[j] != j) {
                return false;
            }
        }
        return true;
    }

    private void ensureScratch(int n) {
        if (hashes.length < n) {
            hashes = new long[n];
            groupIds = new int[n];
        }
        if (unmatched.length < batchSize) {
            unmatched = new boolean[batchSize];
        }
    }

    /** A batch join keeps no checkpointed state; it runs in batch jobs, which restart from the start. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        throw new UnsupportedOperationException("a hash join runs in batch jobs, which do not checkpoint");
    }

    @Override
    public void close() {
        if (result != null) {
            result.close();
        }
        for (RecordBatch w : waiting) {
            w.close();
        }
        waiting.clear();
        if (store != null) {
            store.close();
        }
    }
}
