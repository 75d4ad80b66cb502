package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Windows handed whole to a {@link ProcessWindowFunction}, and sliding count windows. The exact outputs
 * quoted are Flink 2.2's for the same input (a program run against flink-streaming-java 2.2.0):
 * {@code keyBy(f0).countWindow(3, 2).process(...)} over key 1's values 1..7 and key 2's 10, 20 calls process
 * with (1: 1,2), (1: 2,3,4), (1: 4,5,6), (2: 10,20), the window a {@code GlobalWindow}; {@code countWindow(3,
 * 2).sum(1)} over 1..7 emits (1,3), (1,9), (1,15); {@code countWindow(2, 3).reduce((x, y) -> x*10 + y)} emits
 * (1,23), (1,56).
 */
@Timeout(120)
class WindowProcessTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final BatchSchema LISTED = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("window", ColumnType.UTF8), Column.of("values", ColumnType.UTF8));
    /** Emits (key, window, the values in the order the function sees them). */
    private static final ProcessWindowFunction LIST_VALUES = (key, window, records, out) -> {
        StringBuilder values = new StringBuilder();
        for (Record r : records) {
            values.append(values.length() == 0 ? "" : ",").append(r.getLong(1));
        }
        out.collect(key, window.toString(), values.toString());
    };
    /** The process function form of {@link WindowFunctionTest#SUM_AND_LATEST}: (key, sum, latest time, start, end). */
    private static final ProcessWindowFunction SUM_AND_LATEST = (key, window, records, out) -> {
        long sum = 0;
        long latest = Long.MIN_VALUE;
        for (Record r : records) {
            sum += r.getLong(1);
            latest = Math.max(latest, r.getLong(2));
        }
        out.collect(key, sum, Instant.ofEpochMilli(latest), window.startInstant(), window.endInstant());
    };
    private static final BatchSchema SUMMED = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS),
            Column.of("window_start", ColumnType.TIMESTAMP_MS), Column.of("window_end", ColumnType.TIMESTAMP_MS));

    private static Tuple event(long key, long value, long time) {
        return Tuple.of(key, value, Instant.ofEpochMilli(time));
    }

    /** Key 1's values 1..7 with key 2's 10 and 20 among them, as in the Flink program quoted above. */
    private static List<Tuple> counted() {
        return List.of(event(1, 1, 0), event(1, 2, 0), event(2, 10, 0), event(1, 3, 0), event(1, 4, 0),
                event(1, 5, 0), event(2, 20, 0), event(1, 6, 0), event(1, 7, 0));
    }

    private static KeyedStream countedStream(int p, int batchSize) {
        return Environment.streaming().setParallelism(p).setBatchSize(batchSize).fromCollection(counted(), EVENTS)
                .keyBy("key");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void slidingCountWindowsHandTheLastRecordsToProcessAsFlink(int batchSize) {
        List<Tuple> out = countedStream(2, batchSize).countWindow(3, 2).process(LIST_VALUES, LISTED)
                .executeAndCollect();
        assertEquals(sorted(List.of(Tuple.of(1L, "GlobalWindow", "1,2"), Tuple.of(1L, "GlobalWindow", "2,3,4"),
                Tuple.of(1L, "GlobalWindow", "4,5,6"), Tuple.of(2L, "GlobalWindow", "10,20"))), sorted(out));
    }

    @Test
    void tumblingCountWindowsHandTheirRecordsToProcess() {
        List<Tuple> out = countedStream(1, 2).countWindow(3).process(LIST_VALUES, LISTED).executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, "GlobalWindow", "1,2,3"), Tuple.of(1L, "GlobalWindow", "4,5,6")), out);
    }

    @Test
    void slidingCountWindowsAggregateReduceAndFoldTheLastRecordsAsFlink() {
        List<Tuple> ones = new ArrayList<>();
        for (long v = 1; v <= 7; v++) {
            ones.add(event(1, v, 0));
        }
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(3);
        assertEquals(List.of(Tuple.of(1L, 3L), Tuple.of(1L, 9L), Tuple.of(1L, 15L)),
                env.fromCollection(ones, EVENTS).keyBy("key").countWindow(3, 2).sum("value").executeAndCollect());
        env = Environment.streaming().setParallelism(1).setBatchSize(3);
        assertEquals(List.of(Tuple.of(1L, 23L, Instant.EPOCH), Tuple.of(1L, 56L, Instant.EPOCH)),
                env.fromCollection(ones, EVENTS).keyBy("key").window(Windows.count(2, 3))
                        .reduce((x, y) -> Tuple.of(x.field(0), x.getLong(1) * 10 + y.getLong(1), x.field(2)))
                        .executeAndCollect());
        // (key, count, sum, min) of records 1-2, 2-4, 4-6.
        env = Environment.streaming().setParallelism(1).setBatchSize(3);
        assertEquals(List.of(Tuple.of(1L, 2L, 3L, 1L), Tuple.of(1L, 3L, 9L, 2L), Tuple.of(1L, 3L, 15L, 4L)),
                env.fromCollection(ones, EVENTS).keyBy("key").countWindow(3, 2)
                        .aggregate(WindowFunctionTest.COUNT_SUM_MIN, WindowFunctionTest.ACCUMULATOR,
                                WindowFunctionTest.RESULT)
                        .executeAndCollect());
        env = Environment.streaming().setParallelism(1).setBatchSize(3);
        assertEquals(List.of(Tuple.of(1L, 1L, 2L, 1.5), Tuple.of(1L, 2L, 4L, 3.0), Tuple.of(1L, 4L, 6L, 5.0)),
                env.fromCollection(ones, EVENTS).keyBy("key").countWindow(3, 2)
                        .aggregate(io.riffle.columnar.hash.Aggregate.min("value").as("min"),
                                io.riffle.columnar.hash.Aggregate.max("value").as("max"),
                                io.riffle.columnar.hash.Aggregate.avg("value").as("avg"))
                        .executeAndCollect());
    }

    /**
     * Sliding count windows of random shapes (slide below, equal to and above the size) over random keys, at
     * several parallelisms and batch sizes, against a model of Flink's count evictor and trigger: per key, at
     * every slide-th record, its last size records; enough records that the buffer is swept of unneeded ones.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void slidingCountWindowsMatchTheModel(int p) {
        long[][] shapes = {{5, 2}, {3, 3}, {2, 7}, {40, 9}, {1, 1}};
        for (int seed = 0; seed < shapes.length; seed++) {
            long size = shapes[seed][0];
            long slide = shapes[seed][1];
            Random r = new Random(seed * 11L + p);
            List<Tuple> events = new ArrayList<>();
            List<Tuple> expected = new ArrayList<>();
            Map<Long, ArrayDeque<Long>> last = new HashMap<>();
            Map<Long, Long> seen = new HashMap<>();
            for (int i = 0; i < 30_000; i++) {
                long key = r.nextInt(23);
                long value = r.nextInt(1000);
                events.add(event(key, value, 0));
                ArrayDeque<Long> window = last.computeIfAbsent(key, k -> new ArrayDeque<>());
                window.addLast(value);
                if (window.size() > size) {
                    window.removeFirst();
                }
                if (seen.merge(key, 1L, Long::sum) % slide == 0) {
                    StringBuilder values = new StringBuilder();
                    for (long v : window) {
                        values.append(values.length() == 0 ? "" : ",").append(v);
                    }
                    expected.add(Tuple.of(key, "GlobalWindow", values.toString()));
                }
            }
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 97 % 300);
            List<Tuple> out = env.fromCollection(events, EVENTS).setParallelism(1).keyBy("key")
                    .countWindow(size, slide).process(LIST_VALUES, LISTED).executeAndCollect();
            assertEquals(sorted(expected), sorted(out), "countWindow(" + size + ", " + slide + "), p " + p);
        }
    }

    /**
     * Flink keeps a window's records in a list state in arrival order; out-of-order times keep that order.
     * Flink 2.2 on this input (30 s out-of-orderness): (1, [0, 1000), 1,2,3,5), (2, [0, 1000), 7),
     * (1, [1000, 2000), 4), (2, [2000, 3000), 8).
     */
    @Test
    void aTimeWindowHandsTheKeysRecordsInArrivalOrder() {
        List<Tuple> events = List.of(event(1, 1, 500), event(2, 7, 100), event(1, 2, 100), event(1, 3, 900),
                event(1, 4, 1500), event(1, 5, 300), event(2, 8, 2500));
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(2);
        List<Tuple> out = env.fromCollection(events, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(1000)))
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(1))).process(LIST_VALUES, LISTED)
                .executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, "TimeWindow[0, 1000)", "1,2,3,5"), Tuple.of(2L, "TimeWindow[0, 1000)", "7"),
                Tuple.of(1L, "TimeWindow[1000, 2000)", "4"), Tuple.of(2L, "TimeWindow[2000, 3000)", "8")), out);
    }

    private static List<Tuple> randomEvents(long seed, int n, long disorder) {
        Random r = new Random(seed);
        List<Tuple> out = new ArrayList<>();
        long clock = 1_000 + r.nextInt(1_000);
        for (int i = 0; i < n; i++) {
            clock += r.nextInt(4);
            long time = clock - (disorder == 0 ? 0 : r.nextInt((int) disorder + 1));
            out.add(event(r.nextInt(12), r.nextInt(1_000) - 200, time));
        }
        return out;
    }

    /**
     * A process function that sums gives what the reduce gives, on random out-of-order data, late records dropped
     * alike; sampling windows (slide longer than size) included.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void processOnTimeWindowsAgreesWithReduce(int p) {
        Windows[] shapes = {Windows.tumbling(Duration.ofMillis(100)), Windows.sliding(Duration.ofMillis(50), Duration.ofMillis(10)),
                Windows.sliding(Duration.ofMillis(90), Duration.ofMillis(60), Duration.ofMillis(25)),
                Windows.tumbling(Duration.ofMillis(7), Duration.ofMillis(-3)),
                Windows.sliding(Duration.ofMillis(30), Duration.ofMillis(70)),
                Windows.sliding(Duration.ofMillis(20), Duration.ofMillis(45), Duration.ofMillis(5))};
        for (int seed = 0; seed < 12; seed++) {
            Windows windows = shapes[seed % shapes.length];
            long disorder = seed % 3 == 0 ? 0 : 5 + seed * 3;
            long lateness = seed % 2 == 0 ? 0 : 20;
            List<Tuple> events = randomEvents(seed * 5L + p, 2_000 + seed * 100, disorder);
            List<List<Tuple>> outs = new ArrayList<>();
            for (boolean process : new boolean[] {false, true}) {
                Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 37 % 200)
                        .setChannelCapacity(4);
                WindowedStream windowed = env.fromCollection(events, EVENTS)
                        .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(disorder / 2)))
                        .keyBy("key").window(windows).allowedLateness(Duration.ofMillis(lateness));
                outs.add(process ? windowed.process(SUM_AND_LATEST, SUMMED).executeAndCollect()
                        : windowed.reduce(WindowFunctionTest.SUM_AND_LATEST).executeAndCollect());
            }
            String context = "seed " + seed + ", " + windows + ", p " + p + ", lateness " + lateness;
            assertEquals(sorted(outs.get(0)), sorted(outs.get(1)), context);
        }
    }

    /**
     * Tumbling 10 s, 3 s of allowed lateness, a watermark per record: the window [0, 10 s) fires with value 1
     * when 12 s arrives, again with 1 and 3 for the late 5 s record (all its records so far, as Flink's late
     * firing), and the record at 2 s after 14 s is too late: side output. Flink 2.2 with a watermark of
     * (highest - 1) after each record: process with (1, [0, 10000), 1), (1, [0, 10000), 1,3), (1, [10000,
     * 20000), 2,4), and (1,5,2000) to the late side output.
     */
    @Test
    void aLateFiringHandsProcessAllTheWindowsRecordsSoFar() {
        List<Tuple> events = List.of(event(1, 1, 1000), event(1, 2, 12000), event(1, 3, 5000), event(1, 4, 14000),
                event(1, 5, 2000));
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        OutputTag late = new OutputTag("late");
        DataStream processed = env.fromCollection(events, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO))
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10))).allowedLateness(Duration.ofSeconds(3))
                .sideOutputLateData(late).process(LIST_VALUES, LISTED);
        List<Tuple> out = new ArrayList<>();
        List<Tuple> lateOut = new ArrayList<>();
        processed.collect(out);
        processed.getSideOutput(late).collect(lateOut);
        env.execute();
        assertEquals(List.of(Tuple.of(1L, "TimeWindow[0, 10000)", "1"), Tuple.of(1L, "TimeWindow[0, 10000)", "1,3"),
                Tuple.of(1L, "TimeWindow[10000, 20000)", "2,4")), out);
        assertEquals(List.of(event(1, 5, 2000)), lateOut);
    }

    @Test
    void countWindowsWhoseRecordsOutgrowTheStateBudgetFailSayingSo() {
        List<Tuple> events = new ArrayList<>();
        for (long i = 0; i < 100_000; i++) {
            events.add(event(i % 3, i, i));
        }
        Environment env = Environment.streaming().setParallelism(1).setStateBudget(1 << 20);
        env.fromCollection(events, EVENTS).keyBy("key").countWindow(60_000, 10).sum("value").collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertTrue(e.getMessage().contains("the count windows' records need"), e.getMessage());
        assertTrue(e.getMessage().contains("more than the state budget of 1048576 bytes; raise it with"
                + " Environment.setStateBudget"), e.getMessage());
    }

    @Test
    void windowsWhoseRecordsOutgrowTheStateBudgetFailSayingSo() {
        List<Tuple> events = new ArrayList<>();
        for (long i = 0; i < 100_000; i++) {
            events.add(event(i % 3, i, i));
        }
        Environment env = Environment.streaming().setParallelism(1).setStateBudget(1 << 20);
        env.fromCollection(events, EVENTS).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("key").window(Windows.tumbling(Duration.ofHours(1))).process(LIST_VALUES, LISTED)
                .collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("keyBy(key).window(tumbling(3600000 ms)).process", e.operator());
        assertTrue(e.getMessage().contains("more than the state budget of 1048576 bytes; raise it with"
                + " Environment.setStateBudget"), e.getMessage());
    }

    /**
     * Gap 3 s, 30 s of out-of-orderness (nothing fires before the end), as the Flink program quoted: key 1's
     * records at 0, 5 s and 2.5 s merge into one session with its record at 0.1 s; key 2's at 1 s and 3.9 s
     * overlap; key 3's at 10 s and 13 s touch. Flink 2.2 calls process with (2: [1000, 6900) 10,20),
     * (1: [0, 8000) 1,2,3,5), (3: [10000, 16000) 100,200), (1: [20000, 23000) 4).
     */
    @Test
    void sessionsHandProcessTheRecordsOfEverySessionTheyMergedAsFlink() {
        List<Tuple> events = List.of(event(1, 1, 0), event(1, 2, 5000), event(2, 10, 1000), event(1, 3, 2500),
                event(2, 20, 3900), event(1, 4, 20000), event(3, 100, 10000), event(3, 200, 13000), event(1, 5, 100));
        for (int batchSize : new int[] {1, 4, 100}) {
            Environment env = Environment.streaming().setParallelism(2).setBatchSize(batchSize);
            List<Tuple> out = env.fromCollection(events, EVENTS)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(30)))
                    .keyBy("key").window(Windows.session(Duration.ofSeconds(3))).process(LIST_VALUES, LISTED)
                    .executeAndCollect();
            assertEquals(sorted(List.of(Tuple.of(2L, "TimeWindow[1000, 6900)", "10,20"),
                    Tuple.of(1L, "TimeWindow[0, 8000)", "1,2,3,5"), Tuple.of(3L, "TimeWindow[10000, 16000)", "100,200"),
                    Tuple.of(1L, "TimeWindow[20000, 23000)", "4"))), sorted(out), "batch size " + batchSize);
        }
    }

    /** Sessions handed to process give what the reduce gives, merges, late firings and late records included. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void processOnSessionsAgreesWithReduce(int p) {
        for (int seed = 0; seed < 6; seed++) {
            long disorder = seed % 3 == 0 ? 0 : 5 + seed * 3;
            long lateness = seed % 2 == 0 ? 0 : 15;
            long gap = 3 + seed % 4;
            List<Tuple> events = randomEvents(seed * 7L + p, 1_500 + seed * 100, disorder);
            List<List<Tuple>> outs = new ArrayList<>();
            for (boolean process : new boolean[] {false, true}) {
                Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 37 % 150)
                        .setChannelCapacity(4);
                WindowedStream windowed = env.fromCollection(events, EVENTS)
                        .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(disorder / 2)))
                        .keyBy("key").window(Windows.session(Duration.ofMillis(gap))).allowedLateness(Duration.ofMillis(lateness));
                outs.add(process ? windowed.process(SUM_AND_LATEST, SUMMED).executeAndCollect()
                        : windowed.reduce(WindowFunctionTest.SUM_AND_LATEST).executeAndCollect());
            }
            String context = "seed " + seed + ", gap " + gap + ", p " + p + ", lateness " + lateness;
            assertEquals(sorted(outs.get(0)), sorted(outs.get(1)), context);
        }
    }

    /** String keys reach the function as strings; a record that does not fit the output schema fails naming the operator. */
    @Test
    void stringKeysReachTheFunctionAndAMisfitRecordFailsNamingTheOperator() {
        BatchSchema events = BatchSchema.of(Column.of("user", ColumnType.UTF8), Column.of("value", ColumnType.INT64),
                Column.of("time", ColumnType.TIMESTAMP_MS));
        List<Tuple> rows = List.of(Tuple.of("ann", 1L, Instant.ofEpochMilli(5)), Tuple.of("bob", 2L, Instant.ofEpochMilli(7)),
                Tuple.of("ann", 3L, Instant.ofEpochMilli(8)));
        BatchSchema out = BatchSchema.of(Column.of("user", ColumnType.UTF8), Column.of("values", ColumnType.INT64));
        Environment env = Environment.streaming().setParallelism(1);
        List<Tuple> counted = env.fromCollection(rows, events)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("user").window(Windows.tumbling(Duration.ofMillis(10))).process((key, window, records, o) -> {
                    long n = 0;
                    for (Record r : records) {
                        n++;
                    }
                    o.collect(((String) key).toUpperCase(), n);
                }, out).executeAndCollect();
        assertEquals(List.of(Tuple.of("ANN", 2L), Tuple.of("BOB", 1L)), counted);

        Environment failing = Environment.streaming().setParallelism(1);
        failing.fromCollection(rows, events).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("user").window(Windows.tumbling(Duration.ofMillis(10)))
                .process((key, window, records, o) -> o.collect(key), out).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, failing::execute);
        assertEquals("keyBy(user).window(tumbling(10 ms)).process", e.operator());
        assertTrue(e.getMessage().endsWith("process emitted (ann), which does not fit the output schema (user: utf8,"
                + " values: int64): it has 1 field, not 2"), e.getMessage());
    }
}
