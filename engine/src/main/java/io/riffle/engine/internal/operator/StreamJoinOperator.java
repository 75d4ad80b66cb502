package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.Validity;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorMetrics;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;

/**
 * What the interval join and the window join share: per input (0 left, 1 right) its schema, key and time
 * fields and a {@link JoinBuffer}; the checks and late-row filter a batch goes through; gathering the
 * left and right columns of output pairs; checkpoints of both buffers ({@link JoinState}). One instance per
 * subtask, called by its thread.
 */
abstract class StreamJoinOperator extends Operator {
    private final String what;
    final BatchSchema[] schemas;
    final int[] keys;
    final int[][] keyColumns;
    /** Per input, where its event time is read. */
    final EventTimeField[] times;
    final BatchSchema outputSchema;
    private final long budgetBytes;
    private final long sealSpan;
    /** The right columns in the output, in order: every right column but the key. */
    private final int[] rightColumns;
    final JoinBuffer[] buffers = new JoinBuffer[2];
    /** Per input, where a batch's rows that are not late are gathered. */
    private final RecordBatch[] kept = new RecordBatch[2];
    private final SelectionVector keep = new SelectionVector(1024);
    /** The pairs being collected for an output batch: row indexes into the left and the right rows. */
    SelectionVector leftRows;
    SelectionVector rightRows;
    long[] hashes = new long[1024];
    int[] groups = new int[1024];
    BufferAllocator allocator;
    int batchSize;
    /** The watermark this operator has seen; a row behind it (or behind what it implies) is late. */
    long watermark = Long.MIN_VALUE;
    int maxParallelism;
    private OperatorMetrics metrics;
    private int subtask;
    private int parallelism;

    /**
     * {@code what} names the operator in errors ("an interval join"); {@code sealSpan} is the time a buffer
     * segment spans before it is sealed (see {@link JoinBuffer}).
     */
    StreamJoinOperator(String what, JoinInput left, JoinInput right, BatchSchema outputSchema, long sealSpan,
                       long budgetBytes) {
        this.what = what;
        this.schemas = new BatchSchema[] {left.schema(), right.schema()};
        this.keys = new int[] {left.keyField(), right.keyField()};
        this.keyColumns = new int[][] {{left.keyField()}, {right.keyField()}};
        this.times = new EventTimeField[] {left.time(), right.time()};
        this.outputSchema = outputSchema;
        this.budgetBytes = budgetBytes;
        this.sealSpan = sealSpan;
        this.rightColumns = new int[right.schema().columnCount() - 1];
        for (int c = 0, k = 0; c < right.schema().columnCount(); c++) {
            if (c != right.keyField()) {
                rightColumns[k++] = c;
            }
        }
    }

    /**
     * The batch join's columns ({@link HashJoinOperator#outputSchema}), then a timestamp column for each of
     * {@code timeColumns}, prefixed {@code right_} (again) while a column has that name.
     */
    static BatchSchema outputSchema(BatchSchema left, BatchSchema right, int rightKey, String... timeColumns) {
        BatchSchema joined = HashJoinOperator.outputSchema(left, right, rightKey, false);
        List<Column> columns = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < joined.columnCount(); c++) {
            columns.add(joined.column(c));
            names.add(joined.column(c).name());
        }
        for (String name : timeColumns) {
            String free = name;
            while (names.contains(free)) {
                free = "right_" + free;
            }
            names.add(free);
            columns.add(Column.of(free, ColumnType.TIMESTAMP_MS));
        }
        return BatchSchema.of(columns);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        maxParallelism = context.maxParallelism();
        metrics = context.metrics();
        for (int input = 0; input < 2; input++) {
            buffers[input] = new JoinBuffer(schemas[input], keys[input], times[input], sealSpan, allocator,
                    budgetBytes);
            kept[input] = RecordBatch.allocate(schemas[input], allocator, batchSize);
        }
        leftRows = new SelectionVector(batchSize);
        rightRows = new SelectionVector(batchSize);
    }

    @Override
    public void process(RecordBatch batch, Output out) {
        throw new IllegalStateException(what + " is told which input a batch comes from");
    }

    /**
     * Checks {@code batch} of input {@code input} (no null key or time, failing naming the field) and drops
     * the rows {@link #selectOnTime} does not keep, counting the late ones; returns the rest (the batch itself
     * or a copy valid until the next call), or null when every row was late.
     */
    RecordBatch onTime(int input, RecordBatch batch, long lateThrough) {
        String side = input == 0 ? "left" : "right";
        BatchSchema schema = schemas[input];
        if (Validity.hasNulls(batch.vector(keys[input]))) {
            throw new IllegalArgumentException("null key in " + schema.describe(keys[input]) + " of the " + side
                    + " input of " + what + "; join keys must not be null");
        }
        if (Validity.hasNulls(batch.vector(times[input].index()))) {
            throw new IllegalArgumentException("null event time in " + schema.describe(times[input].index()) + " of the "
                    + side + " input of " + what + "; every record needs a timestamp");
        }
        int n = batch.rowCount();
        int late = selectOnTime(input, batch, lateThrough, keep);
        int onTime = keep.size();
        if (onTime == n) {
            return batch;
        }
        if (late > 0) {
            metrics.addDropped(subtask, late);
        }
        if (onTime == 0) {
            return null;
        }
        GatherKernel.gather(batch, keep, kept[input]);
        return kept[input];
    }

    /**
     * Selects into {@code keep} the rows of {@code batch} (of input {@code input}) to join: those with an event
     * time above {@code lateThrough}; returns how many of the others are late (here all of them).
     */
    int selectOnTime(int input, RecordBatch batch, long lateThrough, SelectionVector keep) {
        return batch.rowCount() - buffers[input].selectAbove(batch, lateThrough, keep);
    }

    /** Room for the hashes and group ids of {@code n} rows. */
    void ensureScratch(int n) {
        if (hashes.length < n) {
            hashes = new long[n];
            groups = new int[n];
        }
    }

    /** Fills {@code result}'s left and right columns from the first {@code count} pairs of {@link #leftRows} and {@link #rightRows}. */
    void gatherPairs(RecordBatch left, RecordBatch right, int count, RecordBatch result) {
        leftRows.setSize(count);
        rightRows.setSize(count);
        int leftColumns = schemas[0].columnCount();
        for (int c = 0; c < leftColumns; c++) {
            GatherKernel.gatherColumn(left, c, leftRows, result, c);
        }
        for (int k = 0; k < rightColumns.length; k++) {
            GatherKernel.gatherColumn(right, rightColumns[k], rightRows, result, leftColumns + k);
        }
    }

    /** Both buffers' rows not gone, shared until written. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return JoinState.checkpoint(buffers, watermark, subtask, parallelism, maxParallelism, allocator);
    }

    /**
     * Adds the restored rows of this subtask's key groups, out of every old subtask's file, to the buffers;
     * returns the headers of the old subtasks whose key groups it took.
     */
    List<JoinState.Header> restoreBuffers(StateRestore restore) throws Exception {
        return JoinState.readAll(restore, buffers, allocator);
    }

    /** {@code a + b}, or the nearest long when it overflows. */
    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    @Override
    public void close() {
        for (int input = 0; input < 2; input++) {
            if (buffers[input] != null) {
                buffers[input].close();
            }
            if (kept[input] != null) {
                kept[input].close();
            }
        }
    }
}
