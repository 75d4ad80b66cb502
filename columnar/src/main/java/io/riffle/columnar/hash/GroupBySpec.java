package io.riffle.columnar.hash;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;

/**
 * What an {@link OffHeapHashTable} groups by and computes: one key field of the input schema and a list
 * of aggregates, checked against the schema when the spec is made, so that a wrong field or type is an
 * error before any data flows. Immutable.
 *
 * <pre>{@code
 * GroupBySpec spec = GroupBySpec.of(schema, "word", Aggregate.sum("count"), Aggregate.count());
 * spec.outputSchema();   // (word: utf8, sum(count): int64, count: int64)
 * }</pre>
 */
public final class GroupBySpec {
    final BatchSchema inputSchema;
    final int keyField;
    final ColumnType keyType;
    final AggregateKind[] kinds;
    final int[] inputFields;
    final ColumnType[] inputTypes;
    final boolean[] inputNullable;
    /** Accumulator column holding each aggregate's value (sum, count, min or max). */
    final int[] valueColumn;
    /** Accumulator column counting each aggregate's non-null inputs, or -1 when not needed. */
    final int[] countColumn;
    /** Per accumulator column: whether it holds double bits rather than a long. */
    final boolean[] columnIsDouble;
    /** Per accumulator column: the value a new group starts with. */
    final long[] columnIdentity;
    private final BatchSchema outputSchema;

    private GroupBySpec(BatchSchema inputSchema, int keyField, Aggregate[] aggregates) {
        this.inputSchema = inputSchema;
        this.keyField = inputSchema.checkIndex(keyField);
        this.keyType = inputSchema.column(keyField).type();
        if (!(keyType.isIntegral() || keyType == ColumnType.UTF8)) {
            throw new IllegalArgumentException("group key " + inputSchema.describe(keyField)
                    + ": keys must be int32, int64, timestamp[ms] or utf8");
        }
        int n = aggregates.length;
        kinds = new AggregateKind[n];
        inputFields = new int[n];
        inputTypes = new ColumnType[n];
        inputNullable = new boolean[n];
        valueColumn = new int[n];
        countColumn = new int[n];
        List<Boolean> isDouble = new ArrayList<>();
        List<Long> identity = new ArrayList<>();
        List<Column> output = new ArrayList<>();
        output.add(Column.of(inputSchema.column(keyField).name(), keyType));
        for (int a = 0; a < n; a++) {
            Aggregate agg = aggregates[a];
            kinds[a] = agg.kind;
            int field = -1;
            if (agg.hasField()) {
                field = agg.fieldName != null ? inputSchema.indexOf(agg.fieldName) : inputSchema.checkIndex(agg.fieldIndex);
            } else if (agg.kind != AggregateKind.COUNT) {
                throw new IllegalArgumentException(agg.kind + " needs a field");
            }
            inputFields[a] = field;
            ColumnType in = field < 0 ? null : inputSchema.column(field).type();
            inputTypes[a] = in;
            inputNullable[a] = field >= 0 && inputSchema.column(field).nullable();
            boolean dbl = in == ColumnType.FLOAT64;
            ColumnType out;
            switch (agg.kind) {
                case SUM:
                    requireNumeric(agg.kind, field);
                    out = dbl ? ColumnType.FLOAT64 : ColumnType.INT64;
                    valueColumn[a] = addColumn(isDouble, identity, dbl, 0L);
                    break;
                case COUNT:
                    out = ColumnType.INT64;
                    valueColumn[a] = addColumn(isDouble, identity, false, 0L);
                    break;
                case MIN:
                case MAX:
                    if (in != ColumnType.TIMESTAMP_MS) {
                        requireNumeric(agg.kind, field);
                    }
                    out = in;
                    valueColumn[a] = addColumn(isDouble, identity, dbl, Accumulate.identity(agg.kind, in));
                    break;
                case AVG:
                    requireNumeric(agg.kind, field);
                    out = ColumnType.FLOAT64;
                    valueColumn[a] = addColumn(isDouble, identity, dbl, 0L);
                    break;
                default:
                    throw new IllegalStateException("unknown aggregate " + agg.kind);
            }
            boolean needsCount = agg.kind == AggregateKind.AVG || (agg.kind != AggregateKind.COUNT && inputNullable[a]);
            countColumn[a] = needsCount ? addColumn(isDouble, identity, false, 0L) : -1;
            String name = agg.outputName != null ? agg.outputName
                    : field < 0 ? agg.kind.toString() : agg.kind + "(" + inputSchema.column(field).name() + ")";
            boolean nullable = agg.kind != AggregateKind.COUNT && inputNullable[a];
            output.add(new Column(name, out, nullable));
        }
        columnIsDouble = new boolean[isDouble.size()];
        columnIdentity = new long[identity.size()];
        for (int c = 0; c < columnIsDouble.length; c++) {
            columnIsDouble[c] = isDouble.get(c);
            columnIdentity[c] = identity.get(c);
        }
        this.outputSchema = BatchSchema.of(output);
    }

    /** Groups {@code inputSchema} rows by the field at {@code keyField}. */
    public static GroupBySpec of(BatchSchema inputSchema, int keyField, Aggregate... aggregates) {
        return new GroupBySpec(inputSchema, keyField, aggregates.clone());
    }

    /** Groups {@code inputSchema} rows by the field named {@code keyField}. */
    public static GroupBySpec of(BatchSchema inputSchema, String keyField, Aggregate... aggregates) {
        return new GroupBySpec(inputSchema, inputSchema.indexOf(keyField), aggregates.clone());
    }

    /** The schema the table's input batches must have. */
    public BatchSchema inputSchema() {
        return inputSchema;
    }

    /** The index of the key field in the input schema. */
    public int keyField() {
        return keyField;
    }

    /** The schema of the result batches: the key, then one column per aggregate. */
    public BatchSchema outputSchema() {
        return outputSchema;
    }

    public int aggregateCount() {
        return kinds.length;
    }

    /** What aggregate {@code a} computes. */
    public AggregateKind kindOf(int a) {
        return kinds[a];
    }

    /** The input field aggregate {@code a} reads; -1 for {@code count()}. */
    public int fieldOf(int a) {
        return inputFields[a];
    }

    int accumulatorColumnCount() {
        return columnIsDouble.length;
    }

    private void requireNumeric(AggregateKind kind, int field) {
        ColumnType type = inputSchema.column(field).type();
        if (!type.isNumeric()) {
            throw new IllegalArgumentException(kind + " needs a numeric field (int32, int64 or float64), but field "
                    + field + " ('" + inputSchema.column(field).name() + "') is " + type);
        }
    }

    private static int addColumn(List<Boolean> isDouble, List<Long> identity, boolean dbl, long start) {
        isDouble.add(dbl);
        identity.add(start);
        return isDouble.size() - 1;
    }
}
