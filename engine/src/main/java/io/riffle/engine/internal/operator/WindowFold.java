package io.riffle.engine.internal.operator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.AggregateFunction;
import io.riffle.engine.Record;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;

/**
 * How a window folds a key's records with a user function: the first record, each next one, two partial folds
 * (the earlier first: a sliding window's panes), and the row a fired window emits, with the window's bounds
 * (time windows) or without (count windows). A {@link ReduceFunction} folds into a record of the input's
 * schema; an {@link AggregateFunction} into {@code (key, accumulator...)}. Stateless; called by one thread.
 */
public abstract class WindowFold {
    private static final Column WINDOW_START = Column.of("window_start", ColumnType.TIMESTAMP_MS);
    private static final Column WINDOW_END = Column.of("window_end", ColumnType.TIMESTAMP_MS);

    /** The schema of a fold, as checkpoints keep it. */
    abstract BatchSchema stateSchema();

    /** Where a fold holds its key. */
    abstract int keyField();

    /** What a fired window emits, with {@code window_start} and {@code window_end} or without. */
    public abstract BatchSchema outputSchema(boolean withBounds);

    abstract Tuple first(Record row) throws Exception;

    abstract Tuple add(Tuple fold, Record row) throws Exception;

    abstract Tuple merge(Tuple earlier, Tuple later) throws Exception;

    /** The emitted row of {@code fold}; {@code start} null for a window without bounds. */
    abstract Object[] emitted(Tuple fold, Instant start, Instant end) throws Exception;

    /**
     * Records reduced to one of the input's schema; emitted as it is, the window's bounds appended, or, when
     * the input has {@code window_start} and {@code window_end} (timestamp[ms]) already, as a window's results
     * do, put in their place: a window of windows' results keeps their schema, as a Flink reduce keeps its type.
     */
    public static WindowFold reducing(ReduceFunction function, BatchSchema inputSchema, int keyField) {
        int startField = timestampField(inputSchema, WINDOW_START.name());
        int endField = timestampField(inputSchema, WINDOW_END.name());
        boolean boundsInPlace = startField >= 0 && endField >= 0;
        return new WindowFold() {
            @Override
            BatchSchema stateSchema() {
                return inputSchema;
            }

            @Override
            int keyField() {
                return keyField;
            }

            @Override
            public BatchSchema outputSchema(boolean withBounds) {
                List<Column> columns = columns(inputSchema);
                if (withBounds && !boundsInPlace) {
                    columns.add(WINDOW_START);
                    columns.add(WINDOW_END);
                }
                return BatchSchema.of(columns);
            }

            @Override
            Tuple first(Record row) {
                return Tuple.copyOf(row);
            }

            @Override
            Tuple add(Tuple fold, Record row) throws Exception {
                return reduced(fold, row);
            }

            @Override
            Tuple merge(Tuple earlier, Tuple later) throws Exception {
                return reduced(earlier, later);
            }

            private Tuple reduced(Record a, Record b) throws Exception {
                Record result = function.reduce(a, b);
                if (result == null) {
                    throw new IllegalArgumentException("the reduce function returned null for key " + b.field(keyField));
                }
                return Tuple.copyOf(SchemaCheck.fitting(result, inputSchema, "the reduce function returned",
                        "input schema"));
            }

            @Override
            Object[] emitted(Tuple fold, Instant start, Instant end) {
                boolean appended = start != null && !boundsInPlace;
                Object[] fields = new Object[fold.arity() + (appended ? 2 : 0)];
                for (int f = 0; f < fold.arity(); f++) {
                    fields[f] = fold.field(f);
                }
                if (appended) {
                    fields[fold.arity()] = start;
                    fields[fold.arity() + 1] = end;
                } else if (start != null) {
                    fields[startField] = start;
                    fields[endField] = end;
                }
                return fields;
            }
        };
    }

    /**
     * Records added into accumulators of {@code accumulatorSchema}, folds kept as {@code (key, accumulator...)};
     * emitted as {@code (key, window_start, window_end, result...)}, or {@code (key, result...)} without bounds.
     * Calls {@code function.createAccumulator()} now, refusing one that does not fit the accumulator schema with
     * an error naming {@code operator}; every accumulator and result later is checked against its schema too.
     */
    public static WindowFold aggregating(String operator, AggregateFunction function, BatchSchema accumulatorSchema,
                                         BatchSchema resultSchema, BatchSchema inputSchema, int keyField) {
        try {
            accumulatorOf(function.createAccumulator(), "createAccumulator", accumulatorSchema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(operator + ": " + e.getMessage(), e);
        }
        Column key = inputSchema.column(keyField);
        List<Column> state = new ArrayList<>();
        state.add(key);
        state.addAll(columns(accumulatorSchema));
        BatchSchema stateSchema = BatchSchema.of(state);
        return new WindowFold() {
            @Override
            BatchSchema stateSchema() {
                return stateSchema;
            }

            @Override
            int keyField() {
                return 0;
            }

            @Override
            public BatchSchema outputSchema(boolean withBounds) {
                List<Column> columns = new ArrayList<>();
                columns.add(key);
                if (withBounds) {
                    columns.add(WINDOW_START);
                    columns.add(WINDOW_END);
                }
                columns.addAll(columns(resultSchema));
                return BatchSchema.of(columns);
            }

            @Override
            Tuple first(Record row) throws Exception {
                Tuple empty = accumulatorOf(function.createAccumulator(), "createAccumulator", accumulatorSchema);
                return keyed(row.field(keyField), accumulatorOf(function.add(row, empty), "add", accumulatorSchema));
            }

            @Override
            Tuple add(Tuple fold, Record row) throws Exception {
                return keyed(fold.field(0), accumulatorOf(function.add(row, accumulator(fold)), "add",
                        accumulatorSchema));
            }

            @Override
            Tuple merge(Tuple earlier, Tuple later) throws Exception {
                return keyed(earlier.field(0), accumulatorOf(function.merge(accumulator(earlier), accumulator(later)),
                        "merge", accumulatorSchema));
            }

            private Tuple accumulator(Tuple fold) {
                Object[] fields = new Object[fold.arity() - 1];
                for (int f = 0; f < fields.length; f++) {
                    fields[f] = fold.field(f + 1);
                }
                return Tuple.of(fields);
            }

            private Tuple keyed(Object key, Tuple accumulator) {
                Object[] fields = new Object[accumulator.arity() + 1];
                fields[0] = key;
                for (int f = 0; f < accumulator.arity(); f++) {
                    fields[f + 1] = accumulator.field(f);
                }
                return Tuple.of(fields);
            }

            @Override
            Object[] emitted(Tuple fold, Instant start, Instant end) throws Exception {
                Record result = function.getResult(accumulator(fold));
                if (result == null) {
                    throw new IllegalArgumentException("the aggregate function's getResult returned null");
                }
                SchemaCheck.fitting(result, resultSchema, "the aggregate function's getResult returned",
                        "result schema");
                int bounds = start == null ? 0 : 2;
                Object[] fields = new Object[result.arity() + 1 + bounds];
                fields[0] = fold.field(0);
                if (start != null) {
                    fields[1] = start;
                    fields[2] = end;
                }
                for (int f = 0; f < result.arity(); f++) {
                    fields[f + 1 + bounds] = result.field(f);
                }
                return fields;
            }
        };
    }

    /** {@code accumulator}, which the aggregate function's {@code method} returned, if it fits {@code schema}. */
    private static Tuple accumulatorOf(Tuple accumulator, String method, BatchSchema schema) {
        if (accumulator == null) {
            throw new IllegalArgumentException("the aggregate function's " + method + " returned null");
        }
        return SchemaCheck.fitting(accumulator, schema, "the aggregate function's " + method + " returned",
                "accumulator schema");
    }

    /** The index of {@code schema}'s timestamp[ms] field named {@code name}, or -1. */
    private static int timestampField(BatchSchema schema, String name) {
        for (int c = 0; c < schema.columnCount(); c++) {
            if (schema.column(c).name().equals(name) && schema.column(c).type() == ColumnType.TIMESTAMP_MS) {
                return c;
            }
        }
        return -1;
    }

    private static List<Column> columns(BatchSchema schema) {
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < schema.columnCount(); c++) {
            columns.add(schema.column(c));
        }
        return columns;
    }
}
