package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Windows folded by user functions, against a reference over random out-of-order data: a reduce that sums
 * the value and keeps the latest time (each window's record is (key, sum, latest time, start, end)), and an
 * aggregate function counting, summing and taking the minimum ((key, start, end, count, sum, min)).
 */
@Timeout(120)
class WindowFunctionTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    static final ReduceFunction SUM_AND_LATEST = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1),
            Instant.ofEpochMilli(Math.max(a.getLong(2), b.getLong(2))));

    static final BatchSchema ACCUMULATOR = BatchSchema.of(Column.of("count", ColumnType.INT64),
            Column.of("sum", ColumnType.INT64), Column.of("min", ColumnType.INT64));
    static final BatchSchema RESULT = BatchSchema.of(Column.of("count", ColumnType.INT64),
            Column.of("sum", ColumnType.INT64), Column.nullable("min", ColumnType.INT64));
    static final AggregateFunction COUNT_SUM_MIN = new AggregateFunction() {
        @Override
        public Tuple createAccumulator() {
            return Tuple.of(0L, 0L, Long.MAX_VALUE);
        }

        @Override
        public Tuple add(Record r, Tuple a) {
            return Tuple.of(a.getLong(0) + 1, a.getLong(1) + r.getLong(1), Math.min(a.getLong(2), r.getLong(1)));
        }

        @Override
        public Tuple merge(Tuple a, Tuple b) {
            return Tuple.of(a.getLong(0) + b.getLong(0), a.getLong(1) + b.getLong(1), Math.min(a.getLong(2), b.getLong(2)));
        }

        @Override
        public Record getResult(Tuple a) {
            return Tuple.of(a.getLong(0), a.getLong(1), a.getLong(0) == 0 ? null : a.getLong(2));
        }
    };

    private static List<Tuple> events(long seed, int n, long disorder) {
        Random r = new Random(seed);
        List<Tuple> out = new ArrayList<>();
        long clock = 1_000 + r.nextInt(1_000);
        for (int i = 0; i < n; i++) {
            clock += r.nextInt(4);
            long time = clock - (disorder == 0 ? 0 : r.nextInt((int) disorder + 1));
            out.add(Tuple.of((long) r.nextInt(12), (long) r.nextInt(1_000) - 200, Instant.ofEpochMilli(time)));
        }
        return out;
    }

    /** Per window (key, start): the sum and the latest time of the records {@code admitted} lets in. */
    private static List<Tuple> reference(List<Tuple> events, long size, long slide) {
        Map<List<Long>, long[]> windows = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
                ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        for (Tuple e : events) {
            long time = e.getLong(2);
            for (long s = time - Math.floorMod(time, slide); s > time - size; s -= slide) {
                long[] acc = windows.computeIfAbsent(List.of(e.getLong(0), s), k -> new long[] {0, Long.MIN_VALUE});
                acc[0] += e.getLong(1);
                acc[1] = Math.max(acc[1], time);
            }
        }
        List<Tuple> out = new ArrayList<>();
        for (Map.Entry<List<Long>, long[]> w : windows.entrySet()) {
            long start = w.getKey().get(1);
            out.add(Tuple.of(w.getKey().get(0), w.getValue()[0], Instant.ofEpochMilli(w.getValue()[1]),
                    Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + size)));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void reducedWindowsMatchTheReference(int p) {
        long[][] shapes = {{100, 100}, {50, 10}, {90, 60}, {7, 7}, {30, 70}};
        for (int seed = 0; seed < 10; seed++) {
            long[] shape = shapes[seed % shapes.length];
            Windows windows = shape[0] == shape[1] ? Windows.tumbling(Duration.ofMillis(shape[0]))
                    : Windows.sliding(Duration.ofMillis(shape[0]), Duration.ofMillis(shape[1]));
            long disorder = seed % 3 == 0 ? 0 : 5 + seed * 3;
            List<Tuple> events = events(seed * 5L + p, 2_000 + seed * 100, disorder);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 37 % 200)
                    .setChannelCapacity(4);
            List<Tuple> out = env.fromCollection(events, EVENTS)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(disorder)))
                    .keyBy("key").window(windows).reduce(SUM_AND_LATEST).executeAndCollect();
            assertEquals(sorted(reference(events, shape[0], shape[1])), sorted(out), "seed " + seed + ", " + windows + ", p " + p);
        }
    }

    /** Per window (key, start): (key, start, end, count, sum, min) of the records. */
    private static List<Tuple> aggregateReference(List<Tuple> events, long size, long slide) {
        Map<List<Long>, long[]> windows = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
                ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        for (Tuple e : events) {
            long time = e.getLong(2);
            for (long s = time - Math.floorMod(time, slide); s > time - size; s -= slide) {
                long[] acc = windows.computeIfAbsent(List.of(e.getLong(0), s), k -> new long[] {0, 0, Long.MAX_VALUE});
                acc[0]++;
                acc[1] += e.getLong(1);
                acc[2] = Math.min(acc[2], e.getLong(1));
            }
        }
        List<Tuple> out = new ArrayList<>();
        for (Map.Entry<List<Long>, long[]> w : windows.entrySet()) {
            long start = w.getKey().get(1);
            long[] a = w.getValue();
            out.add(Tuple.of(w.getKey().get(0), Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + size), a[0],
                    a[1], a[2]));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void aggregateFunctionsMatchTheReference(int p) {
        long[][] shapes = {{100, 100}, {60, 20}, {90, 30}, {20, 50}};
        for (int seed = 0; seed < 6; seed++) {
            long[] shape = shapes[seed % shapes.length];
            Windows windows = shape[0] == shape[1] ? Windows.tumbling(Duration.ofMillis(shape[0]))
                    : Windows.sliding(Duration.ofMillis(shape[0]), Duration.ofMillis(shape[1]));
            long disorder = seed % 2 == 0 ? 0 : 20 + seed;
            List<Tuple> events = events(seed * 3L + p, 2_500, disorder);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 41 % 150);
            List<Tuple> out = env.fromCollection(events, EVENTS)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(disorder)))
                    .keyBy("key").window(windows).aggregate(COUNT_SUM_MIN, ACCUMULATOR, RESULT).executeAndCollect();
            assertEquals(sorted(aggregateReference(events, shape[0], shape[1])), sorted(out),
                    "seed " + seed + ", " + windows + ", p " + p);
        }
    }

    /** Count windows: each key's records in arrival order (one source subtask keeps it), in windows of n. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void countWindowsFoldWithUserFunctions(int p) {
        for (int seed = 0; seed < 4; seed++) {
            int n = 1 + seed * 2;
            List<Tuple> events = events(seed + 50L * p, 1_500, 0);
            Map<Long, List<Tuple>> open = new TreeMap<>();
            List<Tuple> reduced = new ArrayList<>();
            List<Tuple> aggregated = new ArrayList<>();
            for (Tuple e : events) {
                List<Tuple> window = open.computeIfAbsent(e.getLong(0), k -> new ArrayList<>());
                window.add(e);
                if (window.size() == n) {
                    long sum = 0;
                    long latest = Long.MIN_VALUE;
                    long min = Long.MAX_VALUE;
                    for (Tuple w : window) {
                        sum += w.getLong(1);
                        latest = Math.max(latest, w.getLong(2));
                        min = Math.min(min, w.getLong(1));
                    }
                    reduced.add(Tuple.of(e.field(0), sum, Instant.ofEpochMilli(latest)));
                    aggregated.add(Tuple.of(e.field(0), (long) n, sum, min));
                    window.clear();
                }
            }
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 31);
            DataStream source = env.fromCollection(events, EVENTS).setParallelism(1);
            List<Tuple> reducedOut = new ArrayList<>();
            List<Tuple> aggregatedOut = new ArrayList<>();
            source.keyBy("key").countWindow(n).reduce(SUM_AND_LATEST).collect(reducedOut);
            source.keyBy("key").countWindow(n).aggregate(COUNT_SUM_MIN, ACCUMULATOR, RESULT).collect(aggregatedOut);
            env.execute("count-functions");
            String context = "p " + p + ", windows of " + n;
            assertEquals(sorted(reduced), sorted(reducedOut), context);
            assertEquals(sorted(aggregated), sorted(aggregatedOut), context);
        }
    }

    /** At parallelism 1, where the watermark each batch meets is known: late records go to the side output. */
    @Test
    void lateRecordsAreLeftOutAndSideOutput() {
        long bound = 10;
        int batchSize = 17;
        List<Tuple> events = events(77, 3_000, 120);
        List<Tuple> admitted = new ArrayList<>();
        List<Tuple> lateEvents = new ArrayList<>();
        long watermark = Long.MIN_VALUE;
        for (int from = 0; from < events.size(); from += batchSize) {
            long highest = Long.MIN_VALUE;
            for (Tuple e : events.subList(from, Math.min(events.size(), from + batchSize))) {
                long time = e.getLong(2);
                if (time - Math.floorMod(time, 100) + 100 - 1 <= watermark) {
                    lateEvents.add(e);
                } else {
                    admitted.add(e);
                }
                highest = Math.max(highest, time);
            }
            watermark = Math.max(watermark, highest - bound - 1);
        }
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(batchSize);
        OutputTag late = new OutputTag("late");
        DataStream reduced = env.fromCollection(events, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(bound)))
                .keyBy("key").window(Windows.tumbling(Duration.ofMillis(100))).sideOutputLateData(late)
                .reduce(SUM_AND_LATEST);
        List<Tuple> out = new ArrayList<>();
        List<Tuple> lateOut = new ArrayList<>();
        reduced.collect(out);
        reduced.getSideOutput(late).collect(lateOut);
        env.execute("late");
        assertTrue(lateEvents.size() > 20, lateEvents.size() + " late records");
        assertEquals(sorted(reference(admitted, 100, 100)), sorted(out));
        assertEquals(sorted(lateEvents), sorted(lateOut));
    }

    /**
     * Sampling windows (2 s every 5 s) reduced, one record a batch: records between windows count nowhere and
     * are late only when behind the watermark (2.5 s and 4 s, not 3 s or 7.5 s), as in Flink; 1 s is of a
     * fired window.
     */
    @Test
    void samplingWindowsReduceOnlyTheRecordsInAWindow() {
        List<Tuple> events = List.of(event(1, 500), event(2, 3_000), event(4, 2_500), event(8, 1_000),
                event(16, 5_500), event(32, 4_000), event(64, 6_000), event(128, 7_500));
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        OutputTag late = new OutputTag("late");
        DataStream reduced = env.fromCollection(events, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO))
                .keyBy("key").window(Windows.sliding(Duration.ofSeconds(2), Duration.ofSeconds(5)))
                .sideOutputLateData(late).reduce(SUM_AND_LATEST);
        List<Tuple> out = new ArrayList<>();
        List<Tuple> lateOut = new ArrayList<>();
        reduced.collect(out);
        reduced.getSideOutput(late).collect(lateOut);
        JobResult result = env.execute("sampling");
        assertEquals(List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(500), Instant.ofEpochMilli(0), Instant.ofEpochMilli(2_000)),
                Tuple.of(1L, 80L, Instant.ofEpochMilli(6_000), Instant.ofEpochMilli(5_000), Instant.ofEpochMilli(7_000))), out);
        assertEquals(List.of(events.get(2), events.get(3), events.get(5)), lateOut);
        long dropped = 0;
        for (OperatorStats o : result.operators()) {
            dropped += o.recordsDropped();
        }
        assertEquals(3, dropped);
    }

    private static Tuple event(long value, long time) {
        return Tuple.of(1L, value, Instant.ofEpochMilli(time));
    }

    @Test
    void aReduceThatReturnsNullOrTheWrongShapeFailsNamingTheOperator() {
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(events(1, 100, 0), EVENTS).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("key").window(Windows.tumbling(Duration.ofMillis(50))).reduce((a, b) -> null)
                .collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("keyBy(key).window(tumbling(50 ms)).reduce", e.operator());
        assertTrue(e.getMessage().contains("the reduce function returned null for key "), e.getMessage());

        Environment env2 = Environment.streaming().setParallelism(1);
        env2.fromCollection(events(1, 100, 0), EVENTS).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("key").window(Windows.tumbling(Duration.ofMillis(50))).reduce((a, b) -> Tuple.of("oops"))
                .collect(new ArrayList<>());
        e = assertThrows(JobFailedException.class, env2::execute);
        assertEquals("keyBy(key).window(tumbling(50 ms)).reduce", e.operator());
        assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }

    /**
     * Allowed lateness with a user reduce: a record for a fired window within the lateness updates it and the
     * window is emitted again for that key after the batch; only records past the lateness are late. At
     * parallelism 1, where the watermark each batch meets is known.
     */
    @Test
    void allowedLatenessReEmitsReducedWindows() {
        long[][] shapes = {{100, 100}, {60, 20}};
        int again = 0;
        for (int seed = 0; seed < 8; seed++) {
            long size = shapes[seed % 2][0];
            long slide = shapes[seed % 2][1];
            Windows windows = size == slide ? Windows.tumbling(Duration.ofMillis(size))
                    : Windows.sliding(Duration.ofMillis(size), Duration.ofMillis(slide));
            long bound = 10;
            long lateness = 30 + seed * 7;
            int batchSize = 1 + seed * 11 % 40;
            List<Tuple> events = events(seed + 700, 3_000, 150);
            TreeMap<List<Long>, long[]> state = new TreeMap<>((x, y) -> x.get(0).equals(y.get(0))
                    ? Long.compare(x.get(1), y.get(1)) : Long.compare(x.get(0), y.get(0)));
            List<Tuple> emitted = new ArrayList<>();
            List<Tuple> lateEvents = new ArrayList<>();
            long watermark = Long.MIN_VALUE;
            long firedEnd = Long.MIN_VALUE;
            for (int from = 0; from < events.size(); from += batchSize) {
                long highest = Long.MIN_VALUE;
                Set<List<Long>> updated = new TreeSet<>(state.comparator());
                for (Tuple e : events.subList(from, Math.min(events.size(), from + batchSize))) {
                    long time = e.getLong(2);
                    highest = Math.max(highest, time);
                    long lastStart = time - Math.floorMod(time, slide);
                    if (lastStart + size - 1 + lateness <= watermark) {
                        lateEvents.add(e);
                        continue;
                    }
                    for (long st = lastStart; st > time - size; st -= slide) {
                        long[] acc = state.computeIfAbsent(List.of(e.getLong(0), st), k -> new long[] {0, Long.MIN_VALUE});
                        acc[0] += e.getLong(1);
                        acc[1] = Math.max(acc[1], time);
                        if (st + size <= firedEnd && st + size - 1 + lateness > watermark) {
                            updated.add(List.of(e.getLong(0), st));
                        }
                    }
                }
                for (List<Long> w : updated) {
                    emitted.add(reducedRow(w, state.get(w), size));
                }
                long next = Math.max(watermark, highest - bound - 1);
                if (next > watermark) {
                    watermark = next;
                    for (Map.Entry<List<Long>, long[]> w : state.entrySet()) {
                        long end = w.getKey().get(1) + size;
                        if (end > firedEnd && end - 1 <= watermark) {
                            emitted.add(reducedRow(w.getKey(), w.getValue(), size));
                        }
                    }
                    // Every window the watermark closed counts as fired, with content or not (Flink's rule).
                    firedEnd = Math.max(firedEnd, Math.floorDiv(watermark + 1 - size, slide) * slide + size);
                }
            }
            for (Map.Entry<List<Long>, long[]> w : state.entrySet()) {
                if (w.getKey().get(1) + size > firedEnd) {
                    emitted.add(reducedRow(w.getKey(), w.getValue(), size));
                }
            }
            Environment env = Environment.streaming().setParallelism(1).setBatchSize(batchSize);
            OutputTag late = new OutputTag("late");
            DataStream reduced = env.fromCollection(events, EVENTS)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(bound)))
                    .keyBy("key").window(windows).allowedLateness(Duration.ofMillis(lateness)).sideOutputLateData(late)
                    .reduce(SUM_AND_LATEST);
            List<Tuple> out = new ArrayList<>();
            List<Tuple> lateOut = new ArrayList<>();
            reduced.collect(out);
            reduced.getSideOutput(late).collect(lateOut);
            env.execute("lateness");
            String context = "seed " + seed + ", " + windows + ", lateness " + lateness + ", batch " + batchSize;
            assertEquals(sorted(emitted), sorted(out), context);
            assertEquals(sorted(lateEvents), sorted(lateOut), context + ": late records");
            again += emitted.size() - state.size();
        }
        assertTrue(again > 20, "only " + again + " windows emitted again: the data tests little");
    }

    /**
     * A window that held no data when the watermark passed its end has closed all the same (Flink's event-time
     * trigger): each late record within the lateness emits the reduced window right after its batch, as for
     * {@code WindowTest.aWindowClosedWithoutDataFiresEachLateUpdateAsInFlink}.
     */
    @Test
    void aReducedWindowClosedWithoutDataFiresEachLateUpdateAsInFlink() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        List<Tuple> rows = env.fromCollection(List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(5_000)),
                        Tuple.of(1L, 2L, Instant.ofEpochMilli(25_000)), Tuple.of(1L, 4L, Instant.ofEpochMilli(15_000)),
                        Tuple.of(1L, 8L, Instant.ofEpochMilli(16_000)), Tuple.of(1L, 16L, Instant.ofEpochMilli(26_000))),
                        EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(1)))
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10))).allowedLateness(Duration.ofSeconds(5))
                .reduce(SUM_AND_LATEST).executeAndCollect();
        assertEquals(List.of(reducedRow(List.of(1L, 0L), new long[] {1, 5_000}, 10_000),
                reducedRow(List.of(1L, 10_000L), new long[] {4, 15_000}, 10_000),
                reducedRow(List.of(1L, 10_000L), new long[] {12, 16_000}, 10_000),
                reducedRow(List.of(1L, 20_000L), new long[] {18, 26_000}, 10_000)), rows);
    }

    private static Tuple reducedRow(List<Long> window, long[] acc, long size) {
        long start = window.get(1);
        return Tuple.of(window.get(0), acc[0], Instant.ofEpochMilli(acc[1]), Instant.ofEpochMilli(start),
                Instant.ofEpochMilli(start + size));
    }
}
