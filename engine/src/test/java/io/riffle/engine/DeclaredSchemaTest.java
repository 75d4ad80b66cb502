package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A record a user function returns for a declared schema (an accumulator, a state, a reduced record, an output)
 * that does not fit it fails where it is made, naming the operator, the schema and the field: when the program
 * is built where the function can be asked without input (an aggregate function's first accumulator), else at
 * the first such record. Wrong arity, wrong type and null in a non-nullable field each.
 */
class DeclaredSchemaTest {
    private static final BatchSchema IN = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));
    private static final List<Tuple> ROWS = List.of(Tuple.of(1L, 10L), Tuple.of(1L, 20L), Tuple.of(2L, 5L));
    private static final BatchSchema COUNT_SUM = BatchSchema.of(Column.of("count", ColumnType.INT64),
            Column.of("sum", ColumnType.INT64));
    private static final BatchSchema SUM = BatchSchema.of(Column.of("sum", ColumnType.INT64));

    /** Records that do not fit (count: int64, sum: int64), with why, as the error says it. */
    static Stream<Arguments> misfits() {
        return Stream.of(
                Arguments.of(Tuple.of(0L), "(0)", "it has 1 field, not 2"),
                Arguments.of(Tuple.of(0L, "zero"), "(0,zero)",
                        "field 1 ('sum', int64): cannot store String value 'zero'"),
                Arguments.of(Tuple.of(0L, null), "(0,null)", "field 1 ('sum', int64): null in a non-nullable field"));
    }

    private static String failure(String operator, String message) {
        return "job 'shape' failed: operator '" + operator + "' (subtask 1 of 1) failed: " + message;
    }

    /** Counts and sums a key's records; add returns {@code added} instead from the second record on. */
    private static AggregateFunction countSum(Tuple first, Tuple added) {
        return new AggregateFunction() {
            @Override
            public Tuple createAccumulator() {
                return first;
            }

            @Override
            public Tuple add(Record value, Tuple accumulator) {
                return accumulator.getLong(0) > 0 ? added
                        : Tuple.of(accumulator.getLong(0) + 1, accumulator.getLong(1) + value.getLong(1));
            }

            @Override
            public Record getResult(Tuple accumulator) {
                return Tuple.of(accumulator.getLong(0));
            }

            @Override
            public Tuple merge(Tuple a, Tuple b) {
                return Tuple.of(a.getLong(0) + b.getLong(0), a.getLong(1) + b.getLong(1));
            }
        };
    }

    @ParameterizedTest
    @MethodSource("misfits")
    void anAccumulatorThatDoesNotFitIsRefusedWhenTheAggregateIsDeclared(Tuple accumulator, String shown, String why) {
        Environment env = Environment.streaming().setParallelism(1);
        WindowedStream windowed = env.fromCollection(ROWS, IN).keyBy("key").countWindow(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> windowed.aggregate(countSum(accumulator, accumulator), COUNT_SUM, SUM));
        assertEquals("keyBy(key).window(count(2)).aggregate(function): the aggregate function's createAccumulator"
                + " returned " + shown + ", which does not fit the accumulator schema (count: int64, sum: int64): "
                + why, e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("misfits")
    void anAccumulatorThatAddMakesWrongFailsTheJobAtTheFirstOne(Tuple added, String shown, String why) {
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(ROWS, IN).keyBy("key").countWindow(2)
                .aggregate(countSum(Tuple.of(0L, 0L), added), COUNT_SUM, SUM).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("shape"));
        assertEquals(failure("keyBy(key).window(count(2)).aggregate(function)", "the aggregate function's add returned "
                + shown + ", which does not fit the accumulator schema (count: int64, sum: int64): " + why),
                e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("misfits")
    void aResultThatDoesNotFitFailsNamingTheResultSchema(Tuple result, String shown, String why) {
        AggregateFunction wrongResult = new AggregateFunction() {
            @Override
            public Tuple createAccumulator() {
                return Tuple.of(0L, 0L);
            }

            @Override
            public Tuple add(Record value, Tuple accumulator) {
                return accumulator;
            }

            @Override
            public Record getResult(Tuple accumulator) {
                return result;
            }

            @Override
            public Tuple merge(Tuple a, Tuple b) {
                return a;
            }
        };
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(ROWS, IN).keyBy("key").countWindow(1).aggregate(wrongResult, COUNT_SUM, COUNT_SUM)
                .collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("shape"));
        assertEquals(failure("keyBy(key).window(count(1)).aggregate(function)", "the aggregate function's getResult"
                + " returned " + shown + ", which does not fit the result schema (count: int64, sum: int64): " + why),
                e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("misfits")
    void aStateThatDoesNotFitFailsTheJobAtSetState(Tuple state, String shown, String why) {
        KeyedProcessFunction keepsState = (record, context, out) -> context.setState(state);
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(ROWS, IN).keyBy("key").process(keepsState, IN, COUNT_SUM).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("shape"));
        assertEquals(failure("keyBy(key).process", "setState was given " + shown
                + ", which does not fit the state schema (count: int64, sum: int64): " + why), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("misfits")
    void aReducedRecordThatDoesNotFitFailsTheJobAtTheFirstOne(Tuple reduced, String shown, String why) {
        BatchSchema countSum = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("sum", ColumnType.INT64));
        String message = "the reduce function returned " + shown + ", which does not fit the input schema"
                + " (key: int64, sum: int64): " + why;
        for (Environment env : List.of(Environment.batch().setParallelism(1),
                Environment.streaming().setParallelism(1))) {
            env.fromCollection(ROWS, countSum).keyBy("key").reduce((a, b) -> reduced).collect(new ArrayList<>());
            JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("shape"));
            assertEquals(failure("keyBy(key).reduce", message), e.getMessage());
        }
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(ROWS, countSum).keyBy("key").countWindow(2).reduce((a, b) -> reduced)
                .collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("shape"));
        assertEquals(failure("keyBy(key).window(count(2)).reduce", message), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("misfits")
    void anOutputThatDoesNotFitNamesTheOutputSchema(Tuple output, String shown, String why) {
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(ROWS, IN).map(r -> output, COUNT_SUM).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("shape"));
        assertEquals(failure("map", "map emitted " + shown + ", which does not fit the output schema"
                + " (count: int64, sum: int64): " + why), e.getMessage());

        Environment env2 = Environment.streaming().setParallelism(1);
        env2.fromCollection(ROWS, IN).flatMap((r, out) -> out.collect(output), COUNT_SUM).collect(new ArrayList<>());
        e = assertThrows(JobFailedException.class, () -> env2.execute("shape"));
        assertEquals(failure("flatMap", "flatMap emitted " + shown + ", which does not fit the output schema"
                + " (count: int64, sum: int64): " + why), e.getMessage());
    }

    @Test
    void aNullableStateFieldTakesNull() {
        BatchSchema nullableSum = BatchSchema.of(Column.of("count", ColumnType.INT64),
                Column.nullable("sum", ColumnType.INT64));
        KeyedProcessFunction keepsState = (record, context, out) -> {
            context.setState(Tuple.of(1L, null));
            out.collect(record.field(0), context.state().field(1));
        };
        BatchSchema out = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.nullable("sum", ColumnType.INT64));
        Environment env = Environment.streaming().setParallelism(1);
        List<Tuple> sink = new ArrayList<>();
        env.fromCollection(ROWS, IN).keyBy("key").process(keepsState, out, nullableSum).collect(sink);
        env.execute("nullable");
        assertEquals(List.of(Tuple.of(1L, null), Tuple.of(1L, null), Tuple.of(2L, null)), sink);
    }
}
