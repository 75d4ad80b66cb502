package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import io.riffle.columnar.hash.Aggregate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Event-time windows against a straightforward reference: random keys, values and out-of-order
 * timestamps, tumbling and sliding windows, many seeds and parallelisms. Without late data every window
 * must come out exactly; with late data (at parallelism 1, where the watermark each record meets is
 * known) exactly the records the reference finds late must be missing.
 */
@Timeout(120)
class WindowTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));

    private record Event(long key, long value, long time) {
    }

    /** {@code n} events, time rising by 0..3 ms a record, each shifted back by up to {@code disorder} ms. */
    private static List<Event> events(long seed, int n, long disorder) {
        Random r = new Random(seed);
        List<Event> out = new ArrayList<>();
        long clock = 1_000 + r.nextInt(1_000);
        for (int i = 0; i < n; i++) {
            clock += r.nextInt(4);
            long time = clock - (disorder == 0 ? 0 : (long) r.nextInt((int) disorder + 1));
            out.add(new Event(r.nextInt(12), r.nextInt(1_000) - 200, time));
        }
        return out;
    }

    private static List<Tuple> tuples(List<Event> events) {
        List<Tuple> out = new ArrayList<>();
        for (Event e : events) {
            out.add(Tuple.of(e.key, e.value, Instant.ofEpochMilli(e.time)));
        }
        return out;
    }

    /** Per window (key, start): sum, count, min, max of the values the reference lets in. */
    private static final class Reference {
        final long size;
        final long slide;
        final Map<List<Long>, long[]> windows = new TreeMap<>((a, b) -> {
            int c = Long.compare(a.get(0), b.get(0));
            return c != 0 ? c : Long.compare(a.get(1), b.get(1));
        });

        Reference(long size, long slide) {
            this.size = size;
            this.slide = slide;
        }

        /** Flink's rule: late when every window of the record has fired, or, in no window, when it is behind the watermark. */
        boolean isLate(long time, long watermark, long lateness) {
            long lastStart = time - Math.floorMod(time, slide);
            return lastStart + size <= time ? time + lateness <= watermark : lastStart + size - 1 + lateness <= watermark;
        }

        /** Adds {@code e} to its windows that have not fired at {@code watermark} (a fired window is not emitted again). */
        void add(Event e, long watermark) {
            long lastStart = e.time - Math.floorMod(e.time, slide);
            for (long s = lastStart; s > e.time - size && s + size - 1 > watermark; s -= slide) {
                long[] acc = windows.computeIfAbsent(List.of(e.key, s),
                        k -> new long[] {0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
                acc[0] += e.value;
                acc[1]++;
                acc[2] = Math.min(acc[2], e.value);
                acc[3] = Math.max(acc[3], e.value);
            }
        }

        /** The row of window {@code start} for {@code key} as it is now. */
        Tuple row(long key, long start) {
            long[] a = windows.get(List.of(key, start));
            return Tuple.of(key, Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + size), a[0], a[1], a[2], a[3],
                    (double) a[0] / a[1]);
        }

        /**
         * Fires, in {@code emitted}, every window with content that ends after {@code firedEnd} and at most at
         * {@code watermark + 1}; returns the end of the last window the watermark closed, with content or not
         * (Flink's rule: a later record for an empty closed window is a late update).
         */
        long fire(long firedEnd, long watermark, List<Tuple> emitted) {
            long last = firedEnd;
            for (Map.Entry<List<Long>, long[]> w : windows.entrySet()) {
                long end = w.getKey().get(1) + size;
                if (end > firedEnd && end - 1 <= watermark) {
                    emitted.add(row(w.getKey().get(0), w.getKey().get(1)));
                    last = Math.max(last, end);
                }
            }
            if (watermark != Long.MAX_VALUE) {
                last = Math.max(last, Math.floorDiv(watermark + 1 - size, slide) * slide + size);
            }
            return last;
        }

        List<Tuple> rows() {
            List<Tuple> out = new ArrayList<>();
            for (Map.Entry<List<Long>, long[]> w : windows.entrySet()) {
                long[] a = w.getValue();
                long start = w.getKey().get(1);
                out.add(Tuple.of(w.getKey().get(0), Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + size),
                        a[0], a[1], a[2], a[3], (double) a[0] / a[1]));
            }
            return out;
        }
    }

    /** The windows a job emitted, how many records its window operator dropped as late, and those records. */
    private record Run(List<Tuple> rows, long dropped, List<Tuple> late) {
    }

    private static Run run(List<Event> events, int p, int batchSize, Windows windows, long disorder) {
        return run(events, p, batchSize, windows, disorder, Duration.ZERO);
    }

    private static Run run(List<Event> events, int p, int batchSize, Windows windows, long disorder,
                           Duration lateness) {
        Environment env = Environment.streaming().setParallelism(p).setBatchSize(batchSize).setChannelCapacity(4);
        List<Tuple> out = new ArrayList<>();
        List<Tuple> late = new ArrayList<>();
        OutputTag tooLate = new OutputTag("late");
        DataStream windowed = env.fromCollection(tuples(events), EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(disorder)))
                .keyBy("key").window(windows).allowedLateness(lateness).sideOutputLateData(tooLate)
                .aggregate(Aggregate.sum("value"), Aggregate.count(), Aggregate.min("value"), Aggregate.max("value"),
                        Aggregate.avg("value"));
        windowed.collect(out);
        windowed.getSideOutput(tooLate).collect(late);
        JobResult result = env.execute("windows");
        long dropped = 0;
        for (OperatorStats o : result.operators()) {
            dropped += o.recordsDropped();
        }
        return new Run(out, dropped, late);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void windowsWithoutLateDataMatchTheReference(int p) {
        long[][] shapes = {{100, 100}, {50, 10}, {90, 60}, {7, 7}, {1000, 250}, {30, 70}, {20, 50}};
        for (int seed = 0; seed < 14; seed++) {
            long[] shape = shapes[seed % shapes.length];
            Windows windows = shape[0] == shape[1] ? Windows.tumbling(Duration.ofMillis(shape[0]))
                    : Windows.sliding(Duration.ofMillis(shape[0]), Duration.ofMillis(shape[1]));
            long disorder = seed % 3 == 0 ? 0 : 5 + seed * 3;
            List<Event> events = events(seed * 7L + p, 2_000 + seed * 100, disorder);
            Reference reference = new Reference(shape[0], shape[1]);
            for (Event e : events) {
                reference.add(e, Long.MIN_VALUE);
            }
            Run actual = run(events, p, 1 + seed * 37 % 200, windows, disorder);
            assertEquals(sorted(reference.rows()), sorted(actual.rows), "seed " + seed + ", " + windows + ", p " + p);
            assertEquals(0, actual.dropped);
            assertEquals(List.of(), actual.late);
        }
    }

    @Test
    void recordsBehindTheWatermarkAreDroppedExactlyAsTheReferenceSays() {
        long[][] shapes = {{100, 100}, {60, 20}, {40, 100}};
        for (int seed = 0; seed < 12; seed++) {
            long[] shape = shapes[seed % shapes.length];
            Windows windows = shape[0] == shape[1] ? Windows.tumbling(Duration.ofMillis(shape[0]))
                    : Windows.sliding(Duration.ofMillis(shape[0]), Duration.ofMillis(shape[1]));
            long bound = 10;
            int batchSize = 1 + seed * 13 % 50;
            List<Event> events = events(seed, 3_000, 120);
            Reference reference = new Reference(shape[0], shape[1]);
            long watermark = Long.MIN_VALUE;
            List<Event> lateEvents = new ArrayList<>();
            for (int from = 0; from < events.size(); from += batchSize) {
                long highest = Long.MIN_VALUE;
                for (Event e : events.subList(from, Math.min(events.size(), from + batchSize))) {
                    if (reference.isLate(e.time, watermark, 0)) {
                        lateEvents.add(e);
                    } else {
                        reference.add(e, watermark);
                    }
                    highest = Math.max(highest, e.time);
                }
                watermark = Math.max(watermark, highest - bound - 1);
            }
            Run actual = run(events, 1, batchSize, windows, bound);
            int late = lateEvents.size();
            String context = "seed " + seed + ", " + windows + ", batch " + batchSize + ", " + late + " late";
            assertEquals(sorted(reference.rows()), sorted(actual.rows), context);
            assertEquals(late, actual.dropped, context + ": dropped records in the metrics");
            assertEquals(sorted(tuples(lateEvents)), sorted(actual.late), context + ": the late records' side output");
            if (late == 0) {
                throw new AssertionError(context + ": the data has no late record to test");
            }
        }
    }

    /**
     * With allowed lateness, a record for a fired window (within the lateness) updates it, and the window is
     * emitted again for that key after the batch; only records past the lateness are late. The reference
     * follows the same rules a batch at a time (parallelism 1, where the watermark each batch meets is known).
     */
    @Test
    void allowedLatenessUpdatesAndEmitsFiredWindowsAgain() {
        long[][] shapes = {{100, 100}, {60, 20}, {30, 70}};
        for (int seed = 0; seed < 12; seed++) {
            long size = shapes[seed % shapes.length][0];
            long slide = shapes[seed % shapes.length][1];
            Windows windows = size == slide ? Windows.tumbling(Duration.ofMillis(size))
                    : Windows.sliding(Duration.ofMillis(size), Duration.ofMillis(slide));
            long bound = 10;
            long lateness = 30 + seed * 7;
            int batchSize = 1 + seed * 11 % 40;
            List<Event> events = events(seed + 100, 3_000, 150);
            Reference reference = new Reference(size, slide);
            List<Tuple> emitted = new ArrayList<>();
            List<Event> lateEvents = new ArrayList<>();
            long watermark = Long.MIN_VALUE;
            long firedEnd = Long.MIN_VALUE;
            for (int from = 0; from < events.size(); from += batchSize) {
                long highest = Long.MIN_VALUE;
                Set<List<Long>> again = new TreeSet<>((a, b) -> a.get(0).equals(b.get(0))
                        ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
                for (Event e : events.subList(from, Math.min(events.size(), from + batchSize))) {
                    highest = Math.max(highest, e.time);
                    if (reference.isLate(e.time, watermark, lateness)) {
                        lateEvents.add(e);
                        continue;
                    }
                    long lastStart = e.time - Math.floorMod(e.time, slide);
                    reference.add(e, Long.MIN_VALUE);
                    for (long s = lastStart; s > e.time - size; s -= slide) {
                        if (s + size <= firedEnd && s + size - 1 + lateness > watermark) {
                            again.add(List.of(s, e.key));
                        }
                    }
                }
                for (List<Long> w : again) {
                    emitted.add(reference.row(w.get(1), w.get(0)));
                }
                long next = Math.max(watermark, highest - bound - 1);
                if (next > watermark) {
                    watermark = next;
                    firedEnd = reference.fire(firedEnd, watermark, emitted);
                }
            }
            reference.fire(firedEnd, Long.MAX_VALUE, emitted);
            Run actual = run(events, 1, batchSize, windows, bound, Duration.ofMillis(lateness));
            String context = "seed " + seed + ", " + windows + ", lateness " + lateness + ", batch " + batchSize;
            assertEquals(sorted(emitted), sorted(actual.rows), context);
            assertEquals(sorted(tuples(lateEvents)), sorted(actual.late), context + ": late records");
            if (emitted.size() == reference.rows().size()) {
                throw new AssertionError(context + ": no window was emitted twice; the data tests nothing");
            }
        }
    }

    /**
     * A window that held no data when the watermark passed its end has closed all the same (Flink's event-time
     * trigger): a record for it within the allowed lateness is a late update, emitted right after its batch,
     * and a second one emits it again; neither waits for the next watermark. Tumbling 10 s, 1 s out of order,
     * 5 s lateness; one record a batch, so each meets the watermark of the records before it.
     */
    @Test
    void aWindowClosedWithoutDataFiresEachLateUpdateAsInFlink() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        List<Tuple> rows = env.fromCollection(List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(5_000)),
                        Tuple.of(1L, 2L, Instant.ofEpochMilli(25_000)), Tuple.of(1L, 4L, Instant.ofEpochMilli(15_000)),
                        Tuple.of(1L, 8L, Instant.ofEpochMilli(16_000)), Tuple.of(1L, 16L, Instant.ofEpochMilli(26_000))),
                        "key", "value", "time")
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(1)))
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10))).allowedLateness(Duration.ofSeconds(5))
                .sum("value").executeAndCollect();
        assertEquals(List.of(window(0, 1), window(10_000, 4), window(10_000, 12), window(20_000, 18)), rows);
    }

    private static Tuple window(long start, long sum) {
        return Tuple.of(1L, Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + 10_000), sum);
    }

    /** Count windows against chunks of each key's records in arrival order (one source subtask keeps it). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void countWindowsFireOnTheirLastRecord(int p) {
        for (int seed = 0; seed < 6; seed++) {
            Random random = new Random(seed * 41L + p);
            int records = 1 + random.nextInt(7);
            List<Event> events = events(seed, 2_000 + random.nextInt(500), 0);
            Map<Long, List<Long>> byKey = new TreeMap<>();
            List<Tuple> expected = new ArrayList<>();
            for (Event e : events) {
                List<Long> open = byKey.computeIfAbsent(e.key, k -> new ArrayList<>());
                open.add(e.value);
                if (open.size() == records) {
                    long sum = 0;
                    long min = Long.MAX_VALUE;
                    long max = Long.MIN_VALUE;
                    for (long v : open) {
                        sum += v;
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                    expected.add(Tuple.of(e.key, sum, (long) records, min, max, (double) sum / records));
                    open.clear();
                }
            }
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + random.nextInt(100));
            List<Tuple> out = env.fromCollection(tuples(events), EVENTS).keyBy("key").countWindow(records)
                    .aggregate(Aggregate.sum("value"), Aggregate.count(), Aggregate.min("value"), Aggregate.max("value"),
                            Aggregate.avg("value"))
                    .executeAndCollect();
            assertEquals(sorted(expected), sorted(out), "p " + p + ", seed " + seed + ", windows of " + records);
        }
    }

    @Test
    void aSideOutputMustBeDeclared() {
        Environment env = Environment.streaming();
        DataStream sums = env.fromCollection(tuples(events(1, 10, 0)), EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("key").window(Windows.tumbling(Duration.ofMillis(10))).sum("value");
        assertEquals("operator 'keyBy(key).window(tumbling(10 ms)).aggregate(sum)' has no side output 'late'",
                assertThrows(IllegalArgumentException.class, () -> sums.getSideOutput(new OutputTag("late")))
                        .getMessage());
    }

    @Test
    void aWindowNeedsEventTimeAndSensibleSizes() {
        Environment env = Environment.streaming();
        DataStream plain = env.fromCollection(tuples(events(1, 10, 0)), EVENTS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plain.keyBy("key").window(Windows.tumbling(Duration.ofSeconds(1))));
        assertEquals("keyBy(key).window(tumbling(1000 ms)) needs event time: call assignTimestampsAndWatermarks(...)"
                + " first (after any map or select that drops the timestamp field)", e.getMessage());
        assertEquals("the window size must be at least 1 ms, not PT0S",
                assertThrows(IllegalArgumentException.class, () -> Windows.tumbling(Duration.ZERO)).getMessage());
    }

    /**
     * Sampling windows (2 s every 5 s), one record a batch, no out-of-orderness: a record between windows counts
     * nowhere; it is late (dropped, counted and sent to the side output) only when behind the watermark, as
     * Flink's WindowOperator treats a record no window took ({@code isSkippedElement && isElementLate}); a record
     * of a fired window is late as usual.
     */
    @Test
    void samplingWindowsCountOnlyTheRecordsInAWindow() {
        Run run = run(SAMPLED, 1, 1, Windows.sliding(Duration.ofSeconds(2), Duration.ofSeconds(5)), 0);
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(0), Instant.ofEpochMilli(2_000), 1L, 1L, 1L, 1L, 1.0),
                Tuple.of(1L, Instant.ofEpochMilli(5_000), Instant.ofEpochMilli(7_000), 80L, 2L, 16L, 64L, 40.0)), run.rows);
        assertEquals(tuples(List.of(SAMPLED.get(2), SAMPLED.get(3), SAMPLED.get(5))), run.late);
        assertEquals(3, run.dropped);
    }

    /**
     * Sampling windows with an offset (2 s every 5 s from 1 s: [1, 3 s), [6, 8 s)), as Flink's
     * {@code SlidingEventTimeWindows.of(2 s, 5 s, 1 s)}: 1.5 s and 2.5 s are in the first window, 0.5 s and 4 s
     * between windows, 6.5 s in the second. Before, the panes between windows were found without the offset,
     * so 2.5 s (pane [2, 3 s)) counted nowhere.
     */
    @Test
    void samplingWindowsWithAnOffsetCountTheRecordsOfTheirWindows() {
        List<Event> events = List.of(new Event(1, 1, 1_500), new Event(1, 2, 2_500), new Event(1, 4, 500),
                new Event(1, 8, 4_000), new Event(1, 16, 6_500));
        Run run = run(events, 1, 1, Windows.sliding(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1)),
                10_000);
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(3_000), 3L, 2L, 1L, 2L, 1.5),
                Tuple.of(1L, Instant.ofEpochMilli(6_000), Instant.ofEpochMilli(8_000), 16L, 1L, 16L, 16L, 16.0)), run.rows);
        assertEquals(0, run.dropped);
    }

    /** Between windows: 3 s (ahead of the watermark), 2.5 s and 4 s (behind it); 1 s is of a fired window. */
    private static final List<Event> SAMPLED = List.of(new Event(1, 1, 500), new Event(1, 2, 3_000),
            new Event(1, 4, 2_500), new Event(1, 8, 1_000), new Event(1, 16, 5_500), new Event(1, 32, 4_000),
            new Event(1, 64, 6_000), new Event(1, 128, 7_500));
}
