package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Joins of an int32 key with an int64 key, as Flink SQL joins INT with BIGINT: the int32 is widened and the
 * keys compare by value, negative values and the int32 extremes included. Both sides hash a value alike,
 * so equal keys meet in one subtask at any parallelism; an int64 whose low 32 bits equal an int32 key is
 * another value and matches nothing. Every join kind, both ways round, exact outputs.
 */
@Timeout(60)
class MixedWidthJoinKeysTest {
    private static final BatchSchema NAMES = BatchSchema.of(Column.of("k", ColumnType.INT32),
            Column.of("name", ColumnType.UTF8));
    private static final BatchSchema VALUES = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.of("v", ColumnType.INT64));
    private static final int MIN = Integer.MIN_VALUE;
    private static final int MAX = Integer.MAX_VALUE;

    private static final List<Tuple> NAME_ROWS = List.of(Tuple.of(3, "three"), Tuple.of(-7, "minus seven"),
            Tuple.of(MIN, "min"), Tuple.of(MAX, "max"), Tuple.of(0, "zero"), Tuple.of(5, "five"));
    /** 2^32 + 5 and -2^32 share their low 32 bits with 5 and 0; Long.MIN_VALUE and MAX_VALUE are beyond int32. */
    private static final List<Tuple> VALUE_ROWS = List.of(Tuple.of(3L, 30L), Tuple.of(-7L, -70L),
            Tuple.of((long) MIN, 1L), Tuple.of((long) MAX, 2L), Tuple.of((1L << 32) + 5, 50L), Tuple.of(-(1L << 32), 9L),
            Tuple.of(3L, 31L), Tuple.of(Long.MIN_VALUE, 7L), Tuple.of(Long.MAX_VALUE, 8L));

    private static final List<Tuple> INNER = List.of(Tuple.of(-7, "minus seven", -70L), Tuple.of(3, "three", 30L),
            Tuple.of(3, "three", 31L), Tuple.of(MAX, "max", 2L), Tuple.of(MIN, "min", 1L));

    private static List<Tuple> leftOuter() {
        List<Tuple> rows = new ArrayList<>(INNER);
        rows.add(Tuple.of(0, "zero", null));
        rows.add(Tuple.of(5, "five", null));
        return sorted(rows);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void batchJoinsOfAnInt32AndAnInt64KeyMatchByValue(int p) {
        assertEquals(sorted(INNER), batch(p, false, false));
        assertEquals(leftOuter(), batch(p, true, false));
        assertEquals(sorted(INNER), batch(p, false, true));
        assertEquals(leftOuter(), batch(p, true, true));
    }

    private static List<Tuple> batch(int p, boolean leftOuter, boolean broadcast) {
        Environment env = Environment.batch().setParallelism(p).setBatchSize(4);
        DataStream names = env.fromCollection(NAME_ROWS, NAMES);
        DataStream values = env.fromCollection(VALUE_ROWS, VALUES);
        DataStream joined = broadcast
                ? (leftOuter ? names.broadcastLeftOuterJoin(values, "k", "id") : names.broadcastJoin(values, "k", "id"))
                : (leftOuter ? names.leftOuterJoin(values, "k", "id") : names.join(values, "k", "id"));
        assertEquals(BatchSchema.of(Column.of("k", ColumnType.INT32), Column.of("name", ColumnType.UTF8),
                leftOuter ? Column.nullable("v", ColumnType.INT64) : Column.of("v", ColumnType.INT64)), joined.schema());
        return sorted(joined.executeAndCollect());
    }

    /** The int64 side probing the int32 side's table: the build side narrower than the probe side. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void anInt64KeyProbesAnInt32BuildSide(int p) {
        Environment env = Environment.batch().setParallelism(p).setBatchSize(4);
        DataStream joined = env.fromCollection(VALUE_ROWS, VALUES)
                .leftOuterJoin(env.fromCollection(NAME_ROWS, NAMES), "id", "k");
        assertEquals(sorted(List.of(Tuple.of(-7L, -70L, "minus seven"), Tuple.of(3L, 30L, "three"),
                Tuple.of(3L, 31L, "three"), Tuple.of((long) MAX, 2L, "max"), Tuple.of((long) MIN, 1L, "min"),
                Tuple.of((1L << 32) + 5, 50L, null), Tuple.of(-(1L << 32), 9L, null), Tuple.of(Long.MIN_VALUE, 7L, null),
                Tuple.of(Long.MAX_VALUE, 8L, null))), sorted(joined.executeAndCollect()));
    }

    private static final BatchSchema CLICKS = BatchSchema.of(Column.of("k", ColumnType.INT32),
            Column.of("ts", ColumnType.INT64));
    private static final BatchSchema VIEWS = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.of("t", ColumnType.INT64));
    /** Keys at times 10, 20, ...: each int32 click 5 ms after the int64 views of its key (and of lookalikes). */
    private static final List<Tuple> VIEW_ROWS = List.of(Tuple.of(3L, 5L), Tuple.of((1L << 32) + 3, 6L),
            Tuple.of(-7L, 15L), Tuple.of(-(1L << 32) - 7, 15L), Tuple.of((long) MIN, 25L), Tuple.of((long) MAX, 35L),
            Tuple.of(Long.MIN_VALUE, 36L));
    private static final List<Tuple> CLICK_ROWS = List.of(Tuple.of(3, 10L), Tuple.of(-7, 20L), Tuple.of(MIN, 30L),
            Tuple.of(MAX, 40L), Tuple.of(0, 41L));

    private static KeyedStream stream(Environment env, List<Tuple> rows, BatchSchema schema) {
        String time = schema.column(1).name();
        return env.fromCollection(rows, schema)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness(time, Duration.ofMillis(100)))
                .keyBy(schema.column(0).name());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void intervalJoinsOfAnInt32AndAnInt64KeyMatchByValue(int p) {
        Environment env = Environment.streaming().setParallelism(p).setBatchSize(2);
        List<Tuple> clicksFirst = stream(env, CLICK_ROWS, CLICKS)
                .intervalJoin(stream(env, VIEW_ROWS, VIEWS), Duration.ofMillis(-5), Duration.ZERO).executeAndCollect();
        assertEquals(sorted(List.of(Tuple.of(-7, 20L, 15L, Instant.ofEpochMilli(20)),
                Tuple.of(3, 10L, 5L, Instant.ofEpochMilli(10)), Tuple.of(MAX, 40L, 35L, Instant.ofEpochMilli(40)),
                Tuple.of(MIN, 30L, 25L, Instant.ofEpochMilli(30)))), sorted(clicksFirst));
        Environment again = Environment.streaming().setParallelism(p).setBatchSize(2);
        List<Tuple> viewsFirst = stream(again, VIEW_ROWS, VIEWS)
                .intervalJoin(stream(again, CLICK_ROWS, CLICKS), Duration.ZERO, Duration.ofMillis(5))
                .executeAndCollect();
        assertEquals(sorted(List.of(Tuple.of(-7L, 15L, 20L, Instant.ofEpochMilli(20)),
                Tuple.of(3L, 5L, 10L, Instant.ofEpochMilli(10)), Tuple.of((long) MAX, 35L, 40L, Instant.ofEpochMilli(40)),
                Tuple.of((long) MIN, 25L, 30L, Instant.ofEpochMilli(30)))), sorted(viewsFirst));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void windowJoinsOfAnInt32AndAnInt64KeyMatchByValue(int p) {
        Environment env = Environment.streaming().setParallelism(p).setBatchSize(2);
        List<Tuple> joined = stream(env, CLICK_ROWS, CLICKS)
                .windowJoin(stream(env, VIEW_ROWS, VIEWS), Windows.tumbling(Duration.ofMillis(100))).executeAndCollect();
        Instant start = Instant.ofEpochMilli(0);
        Instant end = Instant.ofEpochMilli(100);
        assertEquals(sorted(List.of(Tuple.of(-7, 20L, 15L, start, end), Tuple.of(3, 10L, 5L, start, end),
                Tuple.of(MAX, 40L, 35L, start, end), Tuple.of(MIN, 30L, 25L, start, end))), sorted(joined));
    }

    @Test
    void keysThatDoNotCompareAreRefusedNamingBothFields() {
        Environment env = Environment.batch();
        DataStream values = env.fromCollection(VALUE_ROWS, VALUES);
        DataStream names = env.fromCollection(NAME_ROWS, NAMES);
        assertEquals("join keys cannot be compared: 'id' is int64, 'name' is utf8; keys join when both are utf8 or"
                + " both are integers (int32 and int64 by value, int64 and timestamp[ms] as epoch milliseconds)",
                assertThrows(IllegalArgumentException.class, () -> values.join(names, "id", "name")).getMessage());
        DataStream stamped = env.fromCollection(List.of(Tuple.of(Instant.ofEpochMilli(1), 1.5)),
                BatchSchema.of(Column.of("at", ColumnType.TIMESTAMP_MS), Column.of("price", ColumnType.FLOAT64)));
        assertEquals("broadcastJoin keys cannot be compared: 'k' is int32, 'at' is timestamp[ms]; keys join when both"
                + " are utf8 or both are integers (int32 and int64 by value, int64 and timestamp[ms] as epoch"
                + " milliseconds)", assertThrows(IllegalArgumentException.class,
                () -> names.broadcastJoin(stamped, "k", "at")).getMessage());
        assertEquals("leftOuterJoin keys cannot be compared: 'price' is float64, 'price' is float64; keys join when"
                + " both are utf8 or both are integers (int32 and int64 by value, int64 and timestamp[ms] as epoch"
                + " milliseconds)", assertThrows(IllegalArgumentException.class,
                () -> stamped.leftOuterJoin(stamped, "price", "price")).getMessage());
        Environment streaming = Environment.streaming();
        KeyedStream clicks = stream(streaming, CLICK_ROWS, CLICKS);
        KeyedStream words = streaming.fromCollection(List.of(Tuple.of("a", 1L)),
                        BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("t", ColumnType.INT64)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("t")).keyBy("word");
        assertEquals("keyBy(k).windowJoin(word, tumbling(10 ms)): keys cannot be compared: 'k' is int32, 'word' is"
                + " utf8; keys join when both are utf8 or both are integers (int32 and int64 by value, int64 and"
                + " timestamp[ms] as epoch milliseconds)", assertThrows(IllegalArgumentException.class,
                () -> clicks.windowJoin(words, Windows.tumbling(Duration.ofMillis(10)))).getMessage());
    }
}
