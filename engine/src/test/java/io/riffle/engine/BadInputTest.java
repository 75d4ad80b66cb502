package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Wrong programs and bad data: each gets a clear error naming what is wrong, and no job hangs or leaks threads. */
class BadInputTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.of("count", ColumnType.INT64), Column.of("price", ColumnType.FLOAT64));
    private static final List<Tuple> ROWS = List.of(Tuple.of("apple", 1L, 0.5), Tuple.of("banana", 2L, 1.5));

    @AfterEach
    void noWorkerThreadOutlivesItsJob() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("riffle-"), "thread left behind: " + t.getName());
        }
    }

    private static DataStream stream(Environment env) {
        return env.fromCollection(ROWS, SCHEMA);
    }

    @Test
    void aWrongFieldIndexOrNameFailsWhenTheProgramIsBuilt() {
        Environment env = Environment.batch();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stream(env).keyBy(3));
        assertEquals("field index 3 is out of range: the schema has 3 fields (word: utf8, count: int64, price: float64)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> stream(env).groupBy(0).sum("cuont"));
        assertEquals("no field named 'cuont': the schema has (word: utf8, count: int64, price: float64)", e.getMessage());
    }

    @Test
    void summingATextFieldOrKeyingByADoubleFailsWhenTheProgramIsBuilt() {
        Environment env = Environment.streaming();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> stream(env).keyBy("count").sum("word"));
        assertEquals("sum needs a numeric field (int32, int64 or float64), but field 0 ('word') is utf8", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> stream(env).keyBy("price"));
        assertEquals("keyBy(price): key field 2 ('price', float64) must be int32, int64, timestamp[ms] or utf8",
                e.getMessage());
    }

    @Test
    void elementsOfMixedTypesAreRejectedNamingTheElement() {
        Environment env = Environment.batch();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> env.fromElements(Tuple.of("a", 1), Tuple.of("b", 2), Tuple.of("c", "three")));
        assertEquals("element 2, field 1 is utf8 ('three') but earlier elements have int32", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> env.fromCollection(List.of(Tuple.of("a", 1L, 1.0), Tuple.of("b", null, 2.0)), SCHEMA));
        assertEquals("row 1, field 1 ('count', int64): null in a non-nullable field", e.getMessage());
    }

    @Test
    void executeWithoutASinkSaysSo() {
        Environment env = Environment.batch();
        stream(env).groupBy(0).sum(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, env::execute);
        assertEquals("the job has no sink, so it would compute nothing: end a stream with print(), collect(list), "
                + "forEachBatch(consumer) or addSink(sink) before execute()", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void aThrowingUserFunctionFailsTheJobNamingTheOperator(int p) {
        Environment env = Environment.streaming().setParallelism(p).setBatchSize(16);
        List<Tuple> sink = new ArrayList<>();
        env.generate(100_000, 10).map(r -> {
            if (r.getLong(1) == 5_000) {
                throw new IllegalStateException("no fives");
            }
            return r;
        }).keyBy(0).sum(1).collect(sink);
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("throwing"));
        assertEquals("map", e.operator());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getMessage().startsWith("job 'throwing' failed: operator 'map' (subtask "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" of " + p + ") failed: no fives"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aNullKeyFailsTheJobNamingTheOperatorAndTheRow(int p) {
        BatchSchema nullable = BatchSchema.of(Column.nullable("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64));
        Environment env = Environment.streaming().setParallelism(p);
        env.fromCollection(List.of(Tuple.of("apple", 1L), Tuple.of(null, 2L)), nullable).keyBy(0).sum(1)
                .collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("keyBy(word).sum(count)", e.operator());
        assertTrue(e.getMessage().contains("null key in group key field 0 ('word', utf8)"), e.getMessage());
    }

    @Test
    void stateBeyondTheBudgetFailsTheJobWithTheBudgetError() {
        Environment env = Environment.streaming().setParallelism(1).setStateBudget(1 << 20);
        env.generate(1_000_000, 1_000_000).keyBy(0).sum(1).forEachBatch(b -> { });
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertInstanceOf(MemoryBudgetExceededException.class, e.getCause());
        assertEquals("keyBy(key).sum(value)", e.operator());
    }

    @Test
    void aCancelledJobStopsAndSaysSo() {
        Environment env = Environment.streaming().setParallelism(2);
        env.generate(Long.MAX_VALUE / 2, 100).keyBy(0).sum(1).forEachBatch(b -> { });
        JobHandle job = env.executeAsync("endless");
        while (job.metrics().get(0).recordsOut() == 0) {
            Thread.onSpinWait();
        }
        job.cancel();
        JobFailedException e = assertThrows(JobFailedException.class, job::await);
        assertEquals("job 'endless' was cancelled", e.getMessage());
    }
}
