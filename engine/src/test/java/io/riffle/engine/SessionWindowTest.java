package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Session windows against a reference that keeps each key's open sessions as a sorted list and follows the
 * operator's rules a batch at a time: a record joins (and merges) the sessions its window overlaps or touches
 * (Flink's rule: windows whose ends meet are one session), or opens one, sessions fire when the watermark
 * passes their end, and a record whose own window has closed and that meets no open session is late. Random keys, values, gaps and out-of-order timestamps; many seeds.
 */
@Timeout(120)
class SessionWindowTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final BatchSchema WORDS = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.of("value", ColumnType.INT32), Column.of("time", ColumnType.TIMESTAMP_MS));

    private record Event(long key, long value, long time) {
    }

    /** Bursts of activity with pauses between them, each record shifted back by up to {@code disorder} ms. */
    private static List<Event> events(long seed, int n, long disorder, int keys) {
        Random r = new Random(seed);
        List<Event> out = new ArrayList<>();
        long clock = 1_000 + r.nextInt(1_000);
        for (int i = 0; i < n; i++) {
            clock += r.nextInt(10) == 0 ? 20 + r.nextInt(60) : r.nextInt(3);
            long time = clock - (disorder == 0 ? 0 : (long) r.nextInt((int) disorder + 1));
            out.add(new Event(r.nextInt(keys), r.nextInt(1_000) - 200, time));
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

    /** One session of the reference: its extent and its aggregates' state. */
    private static final class Session {
        boolean fired;
        long first;
        long last;
        long sum;
        long count;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;

        Tuple row(long key, long gap) {
            return Tuple.of(key, Instant.ofEpochMilli(first), Instant.ofEpochMilli(last + gap), sum, count, min, max,
                    (double) sum / count);
        }
    }

    /** Each key's open sessions, sorted and disjoint. */
    private static final class Reference {
        final long gap;
        final long lateness;
        final Map<Long, List<Session>> open = new TreeMap<>();
        final List<Tuple> fired = new ArrayList<>();
        /** The sessions the records since the last {@link #emitTouched} went into. */
        final List<Session> touched = new ArrayList<>();
        int merges;

        Reference(long gap) {
            this(gap, 0);
        }

        Reference(long gap, long lateness) {
            this.gap = gap;
            this.lateness = lateness;
        }

        /** Adds {@code e}; false when it is late at {@code watermark}. */
        boolean add(Event e, long watermark) {
            List<Session> sessions = open.computeIfAbsent(e.key, k -> new ArrayList<>());
            List<Session> overlapping = new ArrayList<>();
            for (Session s : sessions) {
                if (s.first <= e.time + gap && e.time <= s.last + gap) {
                    overlapping.add(s);
                }
            }
            if (overlapping.isEmpty() && e.time + gap - 1 + lateness <= watermark) {
                return false;
            }
            // Merged into the latest in time of the sessions it overlaps, which keeps its fired mark.
            overlapping.sort((a, b) -> Long.compare(a.first, b.first));
            Session into = overlapping.isEmpty() ? new Session() : overlapping.get(overlapping.size() - 1);
            if (overlapping.isEmpty()) {
                into.first = e.time;
                into.last = e.time;
                sessions.add(into);
            }
            for (Session s : overlapping.isEmpty() ? List.<Session>of() : overlapping.subList(0, overlapping.size() - 1)) {
                into.first = Math.min(into.first, s.first);
                into.last = Math.max(into.last, s.last);
                into.sum += s.sum;
                into.count += s.count;
                into.min = Math.min(into.min, s.min);
                into.max = Math.max(into.max, s.max);
                sessions.remove(s);
                merges++;
            }
            into.first = Math.min(into.first, e.time);
            into.last = Math.max(into.last, e.time);
            into.sum += e.value;
            into.count++;
            into.min = Math.min(into.min, e.value);
            into.max = Math.max(into.max, e.value);
            // A fired session grown past the watermark fires again at its new end.
            into.fired &= into.last + gap - 1 <= watermark;
            touched.remove(into);
            touched.add(into);
            return true;
        }

        /** After a batch, with lateness: every session it went into whose end the watermark passed, (again). */
        void emitTouched(long watermark) {
            for (Map.Entry<Long, List<Session>> k : open.entrySet()) {
                for (Session s : k.getValue()) {
                    if (touched.contains(s) && s.last + gap - 1 <= watermark) {
                        fired.add(s.row(k.getKey(), gap));
                        s.fired = true;
                    }
                }
            }
            touched.clear();
        }

        /** Emits the sessions the watermark closes; drops those whose lateness it passed too. */
        void fire(long watermark) {
            for (Map.Entry<Long, List<Session>> k : open.entrySet()) {
                Iterator<Session> it = k.getValue().iterator();
                while (it.hasNext()) {
                    Session s = it.next();
                    if (s.last + gap - 1 <= watermark && !s.fired) {
                        fired.add(s.row(k.getKey(), gap));
                        s.fired = true;
                    }
                    if (s.last + gap - 1 + lateness <= watermark) {
                        it.remove();
                    }
                }
            }
        }
    }

    private record Run(List<Tuple> rows, long dropped, List<Tuple> late) {
    }

    private static Run run(List<Event> events, int p, int batchSize, long gap, long disorder) {
        return run(events, p, batchSize, gap, disorder, 0);
    }

    private static Run run(List<Event> events, int p, int batchSize, long gap, long disorder, long lateness) {
        Environment env = Environment.streaming().setParallelism(p).setBatchSize(batchSize).setChannelCapacity(4);
        List<Tuple> out = new ArrayList<>();
        List<Tuple> late = new ArrayList<>();
        OutputTag tooLate = new OutputTag("late");
        DataStream sessions = env.fromCollection(tuples(events), EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(disorder)))
                .keyBy("key").window(Windows.session(Duration.ofMillis(gap))).allowedLateness(Duration.ofMillis(lateness))
                .sideOutputLateData(tooLate)
                .aggregate(Aggregate.sum("value"), Aggregate.count(), Aggregate.min("value"), Aggregate.max("value"),
                        Aggregate.avg("value"));
        sessions.collect(out);
        sessions.getSideOutput(tooLate).collect(late);
        JobResult result = env.execute("sessions");
        long dropped = 0;
        for (OperatorStats o : result.operators()) {
            dropped += o.recordsDropped();
        }
        return new Run(out, dropped, late);
    }

    /** Without late data the sessions are those of each key's sorted timestamps, whatever the arrival order. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void sessionsWithoutLateDataMatchTheReference(int p) {
        int merges = 0;
        for (int seed = 0; seed < 10; seed++) {
            long gap = 3 + seed * 7 % 40;
            long disorder = seed % 3 == 0 ? 0 : 5 + seed * 9;
            List<Event> events = events(seed * 11L + p, 2_000 + seed * 150, disorder, 1 + seed % 9);
            Reference reference = new Reference(gap);
            for (Event e : events) {
                reference.add(e, Long.MIN_VALUE);
            }
            merges += reference.merges;
            reference.fire(Long.MAX_VALUE);
            // Far behind the data, the watermark lets nothing be late.
            Run actual = run(events, p, 1 + seed * 37 % 200, gap, 100_000);
            String context = "seed " + seed + ", gap " + gap + ", p " + p;
            assertEquals(sorted(reference.fired), sorted(actual.rows), context);
            assertEquals(0, actual.dropped, context);
        }
        assertTrue(merges > 100, "the data merged only " + merges + " sessions");
    }

    /** With a tight watermark, sessions fire as it passes them; late records are counted and side-output. */
    /**
     * Windows whose ends meet are one session, as in Flink (its {@code TimeWindow.intersects} counts a shared
     * end): a record exactly a gap after the last one joins its session, and a record whose window touches the
     * sessions on both sides bridges them.
     */
    @Test
    void sessionsWhoseWindowsTouchMergeAsInFlink() {
        Duration gap = Duration.ofMillis(1_500);
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(0), Instant.ofEpochMilli(3_000), 3L)),
                sessionSums(gap, Tuple.of(1L, 1L, Instant.ofEpochMilli(0)), Tuple.of(1L, 2L, Instant.ofEpochMilli(1_500))));
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(10_000), Instant.ofEpochMilli(14_500), 7L)),
                sessionSums(gap, Tuple.of(1L, 1L, Instant.ofEpochMilli(10_000)),
                        Tuple.of(1L, 2L, Instant.ofEpochMilli(13_000)), Tuple.of(1L, 4L, Instant.ofEpochMilli(11_500))));
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(0), Instant.ofEpochMilli(1_500), 1L),
                        Tuple.of(1L, Instant.ofEpochMilli(1_501), Instant.ofEpochMilli(3_001), 2L)),
                sessionSums(gap, Tuple.of(1L, 1L, Instant.ofEpochMilli(0)), Tuple.of(1L, 2L, Instant.ofEpochMilli(1_501))));
    }

    private static List<Tuple> sessionSums(Duration gap, Tuple... records) {
        Environment env = Environment.streaming().setParallelism(1);
        return sorted(env.fromCollection(List.of(records), "key", "value", "time")
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(5)))
                .keyBy("key").window(Windows.session(gap)).sum("value")
                .executeAndCollect());
    }

    @Test
    void sessionsFireOnTheWatermarkAndLateRecordsGoToTheSideOutput() {
        int lateSeen = 0;
        int merges = 0;
        for (int seed = 0; seed < 12; seed++) {
            long gap = 5 + seed * 3;
            long bound = 10;
            int batchSize = 1 + seed * 13 % 50;
            List<Event> events = events(seed, 3_000, 60, 1 + seed % 5);
            Reference reference = new Reference(gap);
            List<Event> lateEvents = new ArrayList<>();
            long watermark = Long.MIN_VALUE;
            for (int from = 0; from < events.size(); from += batchSize) {
                long highest = Long.MIN_VALUE;
                for (Event e : events.subList(from, Math.min(events.size(), from + batchSize))) {
                    if (!reference.add(e, watermark)) {
                        lateEvents.add(e);
                    }
                    highest = Math.max(highest, e.time);
                }
                long next = Math.max(watermark, highest - bound - 1);
                if (next > watermark) {
                    watermark = next;
                    reference.fire(watermark);
                }
            }
            reference.fire(Long.MAX_VALUE);
            merges += reference.merges;
            Run actual = run(events, 1, batchSize, gap, bound);
            String context = "seed " + seed + ", gap " + gap + ", batch " + batchSize + ", " + lateEvents.size() + " late";
            assertEquals(sorted(reference.fired), sorted(actual.rows), context);
            assertEquals(lateEvents.size(), actual.dropped, context + ": dropped records in the metrics");
            assertEquals(sorted(tuples(lateEvents)), sorted(actual.late), context + ": the late records' side output");
            lateSeen += lateEvents.size();
        }
        assertTrue(lateSeen > 100, "only " + lateSeen + " late records: the data tests little");
        assertTrue(merges > 10, "only " + merges + " merges: the data tests little");
    }

    /**
     * Allowed lateness: a fired session is kept for the lateness; a late record that joins it (or opens a session
     * within the lateness) has it emitted again after its batch; only records past the lateness are late.
     */
    @Test
    void allowedLatenessUpdatesAndEmitsFiredSessionsAgain() {
        int again = 0;
        int lateSeen = 0;
        for (int seed = 0; seed < 10; seed++) {
            long gap = 5 + seed * 3;
            long bound = 10;
            long lateness = 20 + seed * 6;
            int batchSize = 1 + seed * 11 % 40;
            List<Event> events = events(seed + 300, 3_000, 80, 1 + seed % 5);
            Reference reference = new Reference(gap, lateness);
            List<Event> lateEvents = new ArrayList<>();
            long watermark = Long.MIN_VALUE;
            for (int from = 0; from < events.size(); from += batchSize) {
                long highest = Long.MIN_VALUE;
                for (Event e : events.subList(from, Math.min(events.size(), from + batchSize))) {
                    if (!reference.add(e, watermark)) {
                        lateEvents.add(e);
                    }
                    highest = Math.max(highest, e.time);
                }
                reference.emitTouched(watermark);
                long next = Math.max(watermark, highest - bound - 1);
                if (next > watermark) {
                    watermark = next;
                    reference.fire(watermark);
                }
            }
            reference.fire(Long.MAX_VALUE);
            Run actual = run(events, 1, batchSize, gap, bound, lateness);
            String context = "seed " + seed + ", gap " + gap + ", lateness " + lateness + ", batch " + batchSize;
            assertEquals(sorted(reference.fired), sorted(actual.rows), context);
            assertEquals(sorted(tuples(lateEvents)), sorted(actual.late), context + ": late records");
            assertEquals(lateEvents.size(), actual.dropped, context + ": dropped in the metrics");
            Set<List<Object>> distinct = new java.util.HashSet<>();
            for (Tuple t : reference.fired) {
                distinct.add(List.of(t.field(0), t.field(1)));
            }
            again += reference.fired.size() - distinct.size();
            lateSeen += lateEvents.size();
        }
        assertTrue(again > 20, "only " + again + " sessions emitted again: the data tests little");
        assertTrue(lateSeen > 20, "only " + lateSeen + " records past the lateness");
    }

    /** Reduce and aggregate functions on sessions: a merge combines the merged sessions' folds. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void sessionsFoldWithUserFunctions(int p) {
        for (int seed = 0; seed < 6; seed++) {
            long gap = 4 + seed * 9;
            List<Event> events = events(seed * 17L + p, 2_500, 30 + seed * 5, 1 + seed % 7);
            Reference reference = new Reference(gap);
            for (Event e : events) {
                reference.add(e, Long.MIN_VALUE);
            }
            reference.fire(Long.MAX_VALUE);
            List<Tuple> reduced = new ArrayList<>();
            List<Tuple> aggregated = new ArrayList<>();
            for (Tuple row : reference.fired) {
                // (key, start, end, sum, count, min, max, avg): the latest time is the end less the gap.
                Instant last = ((Instant) row.field(2)).minusMillis(gap);
                reduced.add(Tuple.of(row.field(0), row.field(3), last, row.field(1), row.field(2)));
                aggregated.add(Tuple.of(row.field(0), row.field(1), row.field(2), row.field(4), row.field(3), row.field(5)));
            }
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 43 % 120);
            KeyedStream keyed = env.fromCollection(tuples(events), EVENTS)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(100)))
                    .keyBy("key");
            List<Tuple> reducedOut = new ArrayList<>();
            List<Tuple> aggregatedOut = new ArrayList<>();
            keyed.window(Windows.session(Duration.ofMillis(gap))).reduce(WindowFunctionTest.SUM_AND_LATEST)
                    .collect(reducedOut);
            keyed.window(Windows.session(Duration.ofMillis(gap)))
                    .aggregate(WindowFunctionTest.COUNT_SUM_MIN, WindowFunctionTest.ACCUMULATOR, WindowFunctionTest.RESULT)
                    .collect(aggregatedOut);
            env.execute("session-functions");
            String context = "seed " + seed + ", gap " + gap + ", p " + p + ", " + reference.merges + " merges";
            assertEquals(sorted(reduced), sorted(reducedOut), context);
            assertEquals(sorted(aggregated), sorted(aggregatedOut), context);
        }
    }

    /**
     * float64 min and max never choose NaN, in a session as in a tumbling window (both the columnar table's
     * rule); a NaN in the session that a later record merges in stays out of the merged result too.
     */
    @Test
    void sessionMinAndMaxOfDoublesSkipNaNAsTimeWindowsDo() {
        BatchSchema readings = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("value", ColumnType.FLOAT64),
                Column.of("time", ColumnType.TIMESTAMP_MS));
        List<Tuple> rows = List.of(Tuple.of(1L, 2.5, Instant.ofEpochMilli(100)), Tuple.of(1L, Double.NaN, Instant.ofEpochMilli(101)),
                Tuple.of(1L, -1.5, Instant.ofEpochMilli(102)), Tuple.of(2L, Double.NaN, Instant.ofEpochMilli(100)),
                Tuple.of(2L, 4.0, Instant.ofEpochMilli(130)), Tuple.of(2L, 3.0, Instant.ofEpochMilli(115)));
        Aggregate[] minMax = {Aggregate.min("value"), Aggregate.max("value")};
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(2);
        List<Tuple> sessions = env.fromCollection(rows, readings)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(50)))
                .keyBy("key").window(Windows.session(Duration.ofMillis(20))).aggregate(minMax).executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(100), Instant.ofEpochMilli(122), -1.5, 2.5),
                Tuple.of(2L, Instant.ofEpochMilli(100), Instant.ofEpochMilli(150), 3.0, 4.0)), sorted(sessions));
        Environment windows = Environment.streaming().setParallelism(1).setBatchSize(2);
        List<Tuple> tumbling = windows.fromCollection(rows, readings)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(50)))
                .keyBy("key").window(Windows.tumbling(Duration.ofMillis(100))).aggregate(minMax).executeAndCollect();
        assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(100), Instant.ofEpochMilli(200), -1.5, 2.5),
                Tuple.of(2L, Instant.ofEpochMilli(100), Instant.ofEpochMilli(200), 3.0, 4.0)), sorted(tumbling));
    }

    /** utf8 keys and an int32 value: sessions per word, merged by a late-arriving record, the sum widened to int64. */
    @Test
    void sessionsOfStringKeys() {
        List<Tuple> rows = List.of(Tuple.of("b", 1, Instant.ofEpochMilli(100)), Tuple.of("a", 2, Instant.ofEpochMilli(101)),
                Tuple.of("b", 3, Instant.ofEpochMilli(108)), Tuple.of("a", 4, Instant.ofEpochMilli(140)),
                Tuple.of("b", 5, Instant.ofEpochMilli(104)), Tuple.of("a", 6, Instant.ofEpochMilli(120)));
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(2);
        List<Tuple> out = env.fromCollection(rows, WORDS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(50)))
                .keyBy("word").window(Windows.session(Duration.ofMillis(25))).sum("value").executeAndCollect();
        assertEquals(List.of(Tuple.of("a", Instant.ofEpochMilli(101), Instant.ofEpochMilli(165), 12L),
                Tuple.of("b", Instant.ofEpochMilli(100), Instant.ofEpochMilli(133), 9L)), sorted(out));
    }

    /** Open sessions beyond the state budget fail the job naming the operator, the budget and what to do. */
    @Test
    void sessionsBeyondTheStateBudgetFailTheJob() {
        Environment env = Environment.streaming().setParallelism(1).setStateBudget(4 << 20);
        env.generate(2_000_000, 500_000).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(Windows.session(Duration.ofMinutes(10))).sum("value").forEachBatch(b -> { });
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("keyBy(key).window(session(600000 ms)).aggregate(sum)", e.operator());
        assertInstanceOf(MemoryBudgetExceededException.class, e.getCause());
        assertTrue(e.getCause().getMessage().endsWith("more than the state budget of 4194304 bytes; raise it with"
                + " Environment.setStateBudget, or shorten the gap"), e.getCause().getMessage());
    }

    @Test
    void aNullKeyFailsTheJobNamingTheField() {
        BatchSchema nullable = BatchSchema.of(Column.nullable("key", ColumnType.UTF8),
                Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(List.of(Tuple.of("a", 1L, Instant.ofEpochMilli(1)), Tuple.of(null, 2L, Instant.ofEpochMilli(2))),
                        nullable)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("key").window(Windows.session(Duration.ofMillis(5))).sum("value").collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("keyBy(key).window(session(5 ms)).aggregate(sum)", e.operator());
        assertTrue(e.getMessage().contains("null key in group key field 0 ('key', utf8)"), e.getMessage());
    }

    @Test
    void badSessionSettingsAreRefusedWithTheReason() {
        assertEquals("the session gap must be at least 1 ms, not PT0S",
                assertThrows(IllegalArgumentException.class, () -> Windows.session(Duration.ZERO)).getMessage());
        Environment env = Environment.streaming();
        KeyedStream keyed = env.fromCollection(tuples(events(1, 10, 0, 2)), EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time")).keyBy("key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> env.fromCollection(tuples(events(1, 10, 0, 2)), EVENTS).keyBy("key")
                        .window(Windows.session(Duration.ofMillis(10))));
        assertEquals("keyBy(key).window(session(10 ms)) needs event time: call assignTimestampsAndWatermarks(...)"
                + " first (after any map or select that drops the timestamp field)", e.getMessage());
    }
}
