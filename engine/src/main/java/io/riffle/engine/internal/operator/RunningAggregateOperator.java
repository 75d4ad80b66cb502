package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.jspecify.annotations.Nullable;

/**
 * A streaming keyed aggregation: per input record, the running value of its key's aggregate. Keys and
 * accumulators live in an {@link OffHeapHashTable}. Two output shapes, fixed at plan time: the key's first
 * record with the aggregated field replaced by the running value (Flink's {@code keyBy(k).sum(f)}, whose
 * other fields stay those of the key's first record), or the key followed by every aggregate
 * ({@code count()}, {@code aggregate(...)}). The first records' other fields are kept in {@link FirstRecords},
 * checkpointed beside the table in a second file.
 */
public final class RunningAggregateOperator extends Operator {
    /** A field or column index meaning "none": no field replaced, no key column written. */
    private static final int NONE = -1;
    private final GroupBySpec spec;
    private final BatchSchema outputSchema;
    /** The field replaced by the running value, or {@link #NONE} for the key-and-aggregates shape. */
    private final int replacedField;
    /** The fields emitted from the key's first record: all but the key and the replaced field; empty for the other shape. */
    private final int[] keptFields;
    /** Per kept field, whether it is 8 bytes wide, so that the table's running update can write it beside the value. */
    private final boolean[] keptBeside;
    /** The output column holding the key, or {@link #NONE} when the key is the replaced field. */
    private final int keyOutputColumn;
    /** 0 .. output columns - 1: {@link #emitted} shows all of {@link #output}'s, then the key over its own. */
    private final int[] outputColumns;
    private final long budgetBytes;
    private final GroupLookup lookup;
    private final FieldVector[] aggregateOutputs;
    private OffHeapHashTable table;
    /** Null when no field is kept. */
    private @Nullable FirstRecords firstRecords;
    private BufferAllocator allocator;
    private String name;
    private int maxParallelism;
    /** The aggregates and kept fields, written per batch; not the key, which {@link #emitted} shows from the input. */
    private RecordBatch output;
    /** What is emitted: {@link #output}'s columns, and the key column passed on from the input uncopied. */
    private RecordBatch emitted;

    private RunningAggregateOperator(GroupBySpec spec, BatchSchema outputSchema, int replacedField, long budgetBytes) {
        this.spec = spec;
        this.outputSchema = outputSchema;
        this.replacedField = replacedField;
        this.keptFields = keptFields(spec.inputSchema(), spec.keyField(), replacedField);
        this.keptBeside = new boolean[keptFields.length];
        for (int k = 0; k < keptFields.length; k++) {
            keptBeside[k] = spec.inputSchema().column(keptFields[k]).type().byteWidth() == 8;
        }
        this.budgetBytes = budgetBytes;
        this.lookup = new GroupLookup(spec.keyField());
        this.aggregateOutputs = new FieldVector[spec.aggregateCount()];
        this.keyOutputColumn = replacedField == NONE ? 0 : replacedField == spec.keyField() ? NONE : spec.keyField();
        this.outputColumns = new int[outputSchema.columnCount()];
        for (int c = 0; c < outputColumns.length; c++) {
            outputColumns[c] = c;
        }
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

    private static int[] keptFields(BatchSchema input, int keyField, int replacedField) {
        if (replacedField == NONE) {
            return new int[0];
        }
        int[] kept = new int[input.columnCount() - (keyField == replacedField ? 1 : 2)];
        int k = 0;
        for (int c = 0; c < input.columnCount(); c++) {
            if (c != keyField && c != replacedField) {
                kept[k++] = c;
            }
        }
        return kept;
    }

    /**
     * Emits the key's first record with {@code field} replaced by the running value of the spec's one aggregate,
     * as Flink's keyed {@code sum}/{@code min}/{@code max} do.
     */
    public static RunningAggregateOperator replacing(GroupBySpec spec, int field, long budgetBytes) {
        return new RunningAggregateOperator(spec, replacedSchema(spec, field), field, budgetBytes);
    }

    /** Emits the key and the running value of every aggregate. */
    public static RunningAggregateOperator keyAndAggregates(GroupBySpec spec, long budgetBytes) {
        return new RunningAggregateOperator(spec, spec.outputSchema(), NONE, budgetBytes);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        name = context.operatorName();
        maxParallelism = context.maxParallelism();
        table = new OffHeapHashTable(spec, allocator, budgetBytes);
        if (keptFields.length > 0) {
            firstRecords = new FirstRecords(spec.inputSchema(), spec.keyField(), keptFields, allocator);
        }
        output = RecordBatch.allocate(outputSchema, context.allocator(), context.batchSize());
        emitted = RecordBatch.view(outputSchema);
        for (int a = 0; a < aggregateOutputs.length; a++) {
            aggregateOutputs[a] = output.vector(replacedField != NONE ? replacedField : a + 1);
        }
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        int[] groupIds = lookup.groupIds(batch, table);
        // One kept field is written in the running update's pass over the group ids, the others gathered.
        int beside = -1;
        if (firstRecords != null) {
            keepFirstRecords(batch, groupIds);
            for (int k = 0; k < keptFields.length; k++) {
                if (beside < 0 && keptBeside[k] && !firstRecords.hasNulls(k + 1)) {
                    beside = k;
                } else {
                    firstRecords.gather(k + 1, groupIds, n, output, keptFields[k]);
                }
            }
        }
        if (beside < 0) {
            table.accumulateRunning(batch, groupIds, aggregateOutputs);
        } else {
            table.accumulateRunning(batch, groupIds, aggregateOutputs, firstRecords.vector(beside + 1),
                    output.vector(keptFields[beside]));
        }
        output.setRowCount(n);
        emitted.show(output, outputColumns);
        if (keyOutputColumn != NONE) {
            emitted.showColumn(keyOutputColumn, batch, spec.keyField());
        }
        out.emit(emitted);
    }

    /** Appends the first records of the batch's new keys; the table and the records together stay within the budget. */
    private void keepFirstRecords(RecordBatch batch, int[] groupIds) {
        if (table.groupCount() == firstRecords.size()) {
            return;
        }
        firstRecords.appendNew(batch, groupIds, table.groupCount());
        long used = table.memoryUsed() + firstRecords.bytes();
        if (used > budgetBytes) {
            throw new MemoryBudgetExceededException(name + ": " + table.groupCount() + " keys need " + used
                    + " bytes of state (their aggregates and the fields of their first records), more than the"
                    + " state budget of " + budgetBytes + " bytes; raise it with Environment.setStateBudget",
                    used, budgetBytes);
        }
    }

    /**
     * Copy-on-write: the table marks its pages shared (no state is copied here) and the checkpoint thread
     * writes them by key group while this subtask keeps aggregating; the first records, only ever appended
     * to, are shared as they are and written beside the table's file.
     */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        OperatorSnapshot tableSnapshot = KeyedTableState.snapshot(table, maxParallelism);
        if (firstRecords == null) {
            return tableSnapshot;
        }
        FirstRecords.Snapshot records = firstRecords.snapshot();
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws Exception {
                return tableSnapshot.writeTo(file) + records.writeTo(firstRecordsFile(file), maxParallelism, allocator);
            }

            @Override
            public void close() {
                tableSnapshot.close();
                records.close();
            }
        };
    }

    private static Path firstRecordsFile(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".first");
    }

    /** This subtask's key groups, read out of every old subtask's state files. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        table = KeyedTableState.restore(table, spec, allocator, budgetBytes, restore);
        if (firstRecords == null || restore.files().isEmpty()) {
            return;
        }
        List<Path> files = new ArrayList<>();
        for (Path file : restore.files()) {
            files.add(firstRecordsFile(file));
        }
        FirstRecords restored = new FirstRecords(spec.inputSchema(), spec.keyField(), keptFields, allocator);
        try {
            restored.restore(files, restore.keyGroups(), table.groupCount(), this::groupsOf, name, allocator);
        } catch (IOException | RuntimeException e) {
            restored.close();
            throw e;
        }
        firstRecords.close();
        firstRecords = restored;
    }

    /** The table's group of each key of {@code records} (column 0), negative for a key it does not hold. */
    private int[] groupsOf(RecordBatch records) {
        int n = records.rowCount();
        long[] hashes = null;
        if (!table.isDirect()) {
            hashes = new long[n];
            HashKernel.hash(records, new int[] {0}, hashes);
        }
        int[] groups = new int[n];
        table.find(records.vector(0), n, hashes, groups);
        return groups;
    }

    @Override
    public void close() {
        if (output != null) {
            output.close();
        }
        if (table != null) {
            table.close();
        }
        if (firstRecords != null) {
            firstRecords.close();
        }
    }
}
