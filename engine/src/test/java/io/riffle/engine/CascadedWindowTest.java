package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static io.riffle.engine.expr.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.Aggregate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A window's output carries event time {@code window_end - 1}, as Flink stamps a window's results with
 * {@code window.maxTimestamp()}, so a window can follow a window with no new timestamps; the results are
 * those of Flink's program {@code keyBy.window(small).sum.keyBy.window(big).sum}: every first-level result is
 * on time for the second level (it is emitted before the watermark that fired it), so the second level sums
 * exactly the first level's results by the window holding their last millisecond.
 */
@Timeout(120)
class CascadedWindowTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));

    /** {@code n} events over about {@code n * 500} ms, each shifted back by up to {@code disorder} ms. */
    private static List<Tuple> events(long seed, int n, long disorder) {
        Random r = new Random(seed);
        List<Tuple> out = new ArrayList<>();
        long clock = r.nextInt(60_000);
        for (int i = 0; i < n; i++) {
            clock += r.nextInt(1_000);
            long time = clock - (disorder == 0 ? 0 : r.nextLong(disorder + 1));
            out.add(Tuple.of((long) r.nextInt(5), (long) r.nextInt(100), Instant.ofEpochMilli(time)));
        }
        return out;
    }

    private static KeyedStream keyed(Environment env, List<Tuple> events, long disorder) {
        return env.fromCollection(events, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(disorder)))
                .keyBy("key");
    }

    /**
     * The second level's rows (key, start, end, sum, count): per event, per first-level window {@code [s, s + size)}
     * holding it (starts at multiples of {@code slide}), its value goes to the {@code big} window holding
     * {@code s + size - 1}; count counts the first-level windows, once per key and first-level window.
     */
    private static List<Tuple> reference(List<Tuple> events, long size, long slide, long big) {
        Map<List<Long>, Long> firstLevel = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Tuple e : events) {
            long t = e.getLong(2);
            for (long s = t - Math.floorMod(t, slide); s > t - size; s -= slide) {
                firstLevel.merge(List.of(e.getLong(0), s), e.getLong(1), Long::sum);
            }
        }
        Map<List<Long>, long[]> secondLevel = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Map.Entry<List<Long>, Long> w : firstLevel.entrySet()) {
            long last = w.getKey().get(1) + size - 1;
            long[] acc = secondLevel.computeIfAbsent(List.of(w.getKey().get(0), last - Math.floorMod(last, big)),
                    k -> new long[2]);
            acc[0] += w.getValue();
            acc[1]++;
        }
        List<Tuple> out = new ArrayList<>();
        for (Map.Entry<List<Long>, long[]> w : secondLevel.entrySet()) {
            long start = w.getKey().get(1);
            out.add(Tuple.of(w.getKey().get(0), Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + big),
                    w.getValue()[0], w.getValue()[1]));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void tumblingSumsOfTenSecondsCascadeIntoMinuteSums(int p) {
        for (int seed = 0; seed < 6; seed++) {
            long disorder = seed % 2 == 0 ? 0 : 4_000;
            List<Tuple> events = events(seed * 31L + p, 1_500, disorder);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 23 % 64);
            List<Tuple> out = keyed(env, events, disorder).window(Windows.tumbling(Duration.ofSeconds(10))).sum("value")
                    .keyBy("key").window(Windows.tumbling(Duration.ofMinutes(1)))
                    .aggregate(Aggregate.sum("value").as("value"), Aggregate.count())
                    .executeAndCollect();
            assertEquals(sorted(reference(events, 10_000, 10_000, 60_000)), sorted(out),
                    "seed " + seed + ", p " + p + ", disorder " + disorder);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void slidingSumsCascadeIntoTumblingSums(int p) {
        for (int seed = 0; seed < 4; seed++) {
            long disorder = seed % 2 == 0 ? 0 : 3_000;
            List<Tuple> events = events(seed * 17L + p, 1_500, disorder);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 29 % 64);
            List<Tuple> out = keyed(env, events, disorder)
                    .window(Windows.sliding(Duration.ofSeconds(20), Duration.ofSeconds(10))).sum("value")
                    .keyBy("key").window(Windows.tumbling(Duration.ofMinutes(1)))
                    .aggregate(Aggregate.sum("value").as("value"), Aggregate.count())
                    .executeAndCollect();
            assertEquals(sorted(reference(events, 20_000, 10_000, 60_000)), sorted(out),
                    "seed " + seed + ", p " + p + ", disorder " + disorder);
        }
    }

    /** A reduced window's output cascades as well: its event time is its window_end - 1, not its records'. */
    @Test
    void reducedWindowsCascade() {
        List<Tuple> events = events(5, 1_000, 2_000);
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(7);
        List<Tuple> out = keyed(env, events, 2_000).window(Windows.tumbling(Duration.ofSeconds(10)))
                .reduce((a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1), a.field(2)))
                .keyBy("key").window(Windows.tumbling(Duration.ofMinutes(1)))
                .aggregate(Aggregate.sum("value").as("value"), Aggregate.count())
                .executeAndCollect();
        assertEquals(sorted(reference(events, 10_000, 10_000, 60_000)), sorted(out));
    }

    /**
     * A reduce of windows' results keeps their schema, the bounds those of the new window (as a Flink reduce
     * keeps its type); before, appending a second window_start failed the plan.
     */
    @Test
    void reducedWindowsOfReducedWindowsKeepTheirSchema() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        ReduceFunction sum = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1), a.field(2), a.field(3), a.field(4));
        DataStream minutes = keyed(env, List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(1_000)),
                        Tuple.of(1L, 2L, Instant.ofEpochMilli(12_000)), Tuple.of(1L, 4L, Instant.ofEpochMilli(61_000))), 0)
                .window(Windows.tumbling(Duration.ofSeconds(10))).reduce((a, b) -> Tuple.of(a.field(0),
                        a.getLong(1) + b.getLong(1), a.field(2)))
                .keyBy("key").window(Windows.tumbling(Duration.ofMinutes(1))).reduce(sum);
        assertEquals(BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("value", ColumnType.INT64),
                Column.of("time", ColumnType.TIMESTAMP_MS), Column.of("window_start", ColumnType.TIMESTAMP_MS),
                Column.of("window_end", ColumnType.TIMESTAMP_MS)), minutes.schema());
        assertEquals(List.of(Tuple.of(1L, 3L, Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(0), Instant.ofEpochMilli(60_000)),
                Tuple.of(1L, 4L, Instant.ofEpochMilli(61_000), Instant.ofEpochMilli(60_000), Instant.ofEpochMilli(120_000))),
                minutes.executeAndCollect());
    }

    /**
     * What the operator after a window sees, one record a batch at parallelism 1: each result has event time
     * {@code window_end - 1} and arrives before the watermark that fired its window (the watermark it meets
     * is the one before), as in Flink.
     */
    @Test
    void aWindowsResultsHaveItsLastMillisecondAsEventTime() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        List<Tuple> events = List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(1_000)),
                Tuple.of(1L, 2L, Instant.ofEpochMilli(12_000)), Tuple.of(1L, 4L, Instant.ofEpochMilli(25_000)));
        BatchSchema seen = BatchSchema.of(Column.of("value", ColumnType.INT64), Column.of("timestamp", ColumnType.INT64),
                Column.of("watermark", ColumnType.INT64));
        List<Tuple> out = keyed(env, events, 0).window(Windows.tumbling(Duration.ofSeconds(10))).sum("value")
                .keyBy("key").process((record, ctx, collector) -> collector.collect(
                        Tuple.of(record.getLong(3), ctx.timestamp(), ctx.currentWatermark())), seen)
                .executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, 9_999L, 999L), Tuple.of(2L, 19_999L, 11_999L), Tuple.of(4L, 29_999L, 24_999L)),
                out);
    }

    /** An interval join reads a window's output at its event time: the two windows' last milliseconds meet. */
    @Test
    void anIntervalJoinOfWindowResultsJoinsAtTheirLastMillisecond() {
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(2);
        DataStream left = keyed(env, List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(1_000)),
                Tuple.of(1L, 2L, Instant.ofEpochMilli(12_000))), 0).window(Windows.tumbling(Duration.ofSeconds(10))).sum("value");
        DataStream right = keyed(env, List.of(Tuple.of(1L, 10L, Instant.ofEpochMilli(5_000))), 0)
                .window(Windows.tumbling(Duration.ofSeconds(10))).sum("value");
        List<Tuple> out = left.keyBy("key").intervalJoin(right.keyBy("key"), Duration.ZERO, Duration.ZERO)
                .executeAndCollect();
        Instant start = Instant.ofEpochMilli(0);
        Instant end = Instant.ofEpochMilli(10_000);
        assertEquals(List.of(Tuple.of(1L, start, end, 1L, start, end, 10L, Instant.ofEpochMilli(9_999))), out);
    }

    /** A window's last millisecond as a column: timestamp arithmetic in milliseconds. */
    @Test
    void aWindowsLastMillisecondIsItsEndLessOne() {
        Environment env = Environment.streaming().setParallelism(1);
        List<Tuple> out = keyed(env, List.of(Tuple.of(1L, 5L, Instant.ofEpochMilli(1_000))), 0)
                .window(Windows.tumbling(Duration.ofSeconds(10))).sum("value")
                .select(col("key"), col("window_end").minus(1).as("last"), col("window_end").minus(col("window_start")))
                .executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(9_999), 10_000L)), out);
    }

    /** Sessions end at their last record plus the gap; their results' event time is that end less 1 ms. */
    @Test
    void sessionsCascadeIntoTumblingWindows() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(2);
        List<Tuple> events = List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(1_000)),
                Tuple.of(1L, 2L, Instant.ofEpochMilli(8_000)), Tuple.of(1L, 4L, Instant.ofEpochMilli(8_500)),
                Tuple.of(1L, 8L, Instant.ofEpochMilli(30_000)));
        List<Tuple> out = keyed(env, events, 0).window(Windows.session(Duration.ofSeconds(2))).sum("value")
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10))).sum("value")
                .executeAndCollect();
        // Sessions [1000, 3000), [8000, 10500) and [30000, 32000): event times 2999, 10499 and 31999.
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(0), Instant.ofEpochMilli(10_000), 1L),
                Tuple.of(1L, Instant.ofEpochMilli(10_000), Instant.ofEpochMilli(20_000), 6L),
                Tuple.of(1L, Instant.ofEpochMilli(30_000), Instant.ofEpochMilli(40_000), 8L)), out);
    }

    /** Sessions of windows' results: a result's time is its window's last millisecond (9999 and 19999 touch at gap 10 s). */
    @Test
    void windowResultsFormSessionsAtTheirLastMillisecond() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        List<Tuple> out = keyed(env, List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(1_000)),
                        Tuple.of(1L, 2L, Instant.ofEpochMilli(12_000))), 0)
                .window(Windows.tumbling(Duration.ofSeconds(10))).sum("value")
                .keyBy("key").window(Windows.session(Duration.ofSeconds(10))).sum("value")
                .executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(9_999), Instant.ofEpochMilli(29_999), 3L)), out);
    }

    /** A window join's pairs have their window's last millisecond as event time, and can be windowed again. */
    @Test
    void windowJoinResultsCascade() {
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(3);
        List<Tuple> left = List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(1_000)), Tuple.of(1L, 2L, Instant.ofEpochMilli(9_000)),
                Tuple.of(1L, 4L, Instant.ofEpochMilli(15_000)));
        List<Tuple> right = List.of(Tuple.of(1L, 10L, Instant.ofEpochMilli(4_000)),
                Tuple.of(1L, 20L, Instant.ofEpochMilli(19_999)));
        List<Tuple> out = keyed(env, left, 0).windowJoin(keyed(env, right, 0), Windows.tumbling(Duration.ofSeconds(10)))
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10))).sum("value")
                .executeAndCollect();
        assertEquals(sorted(List.of(Tuple.of(1L, Instant.ofEpochMilli(0), Instant.ofEpochMilli(10_000), 3L),
                Tuple.of(1L, Instant.ofEpochMilli(10_000), Instant.ofEpochMilli(20_000), 4L))), sorted(out));
    }

    /**
     * A window's late records keep their own event time, as Flink's late side output keeps the records'
     * timestamps: a process function after the side output reads them (before, the side output had no event time).
     */
    @Test
    void lateRecordsKeepTheirEventTime() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        OutputTag late = new OutputTag("late");
        DataStream sums = keyed(env, List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(1_000)),
                        Tuple.of(1L, 2L, Instant.ofEpochMilli(25_000)), Tuple.of(1L, 3L, Instant.ofEpochMilli(2_000)),
                        Tuple.of(2L, 4L, Instant.ofEpochMilli(9_999))), 0)
                .window(Windows.tumbling(Duration.ofSeconds(10))).sideOutputLateData(late).sum("value");
        BatchSchema times = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("time", ColumnType.INT64));
        List<Tuple> out = sums.getSideOutput(late).keyBy("key")
                .process((record, ctx, collector) -> collector.collect(record.getLong(0), ctx.timestamp()), times)
                .executeAndCollect();
        assertEquals(sorted(List.of(Tuple.of(1L, 2_000L), Tuple.of(2L, 9_999L))), sorted(out));
    }
}
