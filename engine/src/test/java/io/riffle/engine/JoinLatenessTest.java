package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.connector.CollectionSource;
import io.riffle.engine.internal.operator.EventTimeField;
import io.riffle.engine.internal.operator.IntervalJoinOperator;
import io.riffle.engine.internal.operator.JoinInput;
import io.riffle.engine.internal.operator.harness.StateHandle;
import io.riffle.engine.internal.operator.harness.TwoInputOperatorHarness;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stream joins' lateness and clean-up, record by record and watermark by watermark, pinned to what Flink
 * 2.2 emits for the same sequence. Flink's {@code IntervalJoinOperator}: {@code isLate(t) = t < currentWatermark};
 * a record is added to its buffer and registers a clean-up timer at {@code t + max(upper, 0)} (left) or
 * {@code t + max(-lower, 0)} (right); a timer fires, removing its records, at the first watermark at or past
 * it that the operator processes after the timer was registered. Flink's window join is a coGroup on
 * windows: a record is late when every window it is in has {@code maxTimestamp <= watermark}; a window
 * fires when the watermark reaches its {@code maxTimestamp}.
 */
@Timeout(60)
class JoinLatenessTest {
    /** Both inputs: key, event time (int64 ms), and an id that names the record in the output. */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("t", ColumnType.INT64), Column.of("id", ColumnType.INT64));
    /** Keyed by field 0, event time in field 1. */
    private static final JoinInput EVENTS_INPUT = new JoinInput(EVENTS, 0, EventTimeField.of(1));

    @TempDir
    Path dir;

    /** One join operator in a harness, driven a batch and a watermark at a time. */
    private record Driver(TwoInputOperatorHarness harness) {
        /** Input {@code input}'s records {@code (k, t, id)}, in one batch. */
        Driver records(int input, long[]... records) throws Exception {
            Object[][] rows = new Object[records.length][];
            for (int i = 0; i < records.length; i++) {
                rows[i] = new Object[] {records[i][0], records[i][1], records[i][2]};
            }
            if (input == 0) {
                harness.processLeft(rows);
            } else {
                harness.processRight(rows);
            }
            return this;
        }

        Driver left(long[]... records) throws Exception {
            return records(0, records);
        }

        Driver right(long[]... records) throws Exception {
            return records(1, records);
        }

        Driver watermark(long watermark) throws Exception {
            harness.processWatermark(watermark);
            return this;
        }

        /** Each output row as {@code "left id+right id"}. */
        List<String> pairs() {
            List<String> pairs = new ArrayList<>();
            for (List<Object> row : harness.output().rows()) {
                pairs.add(row.get(2) + "+" + row.get(4));
            }
            return pairs;
        }
    }

    private static long[] r(long key, long time, long id) {
        return new long[] {key, time, id};
    }

    /** Steps driven on a join. */
    private interface Steps {
        void run(Driver join) throws Exception;
    }

    /** The pairs, sorted, and the records dropped as late. */
    private record Outcome(List<String> pairs, long dropped) {
    }

    /**
     * Runs {@code before}, then {@code after} on the same operator or, with {@code restore}, on a new one
     * restored from a checkpoint taken in between; the harness checks that no memory is left behind.
     */
    private Outcome run(TwoInputOperatorHarness.Builder join, boolean restore, Steps before, Steps after)
            throws Exception {
        List<String> pairs = new ArrayList<>();
        long dropped = 0;
        join.name("join").batchSize(64).stateDirectory(dir);
        StateHandle checkpoint;
        try (TwoInputOperatorHarness first = join.open()) {
            before.run(new Driver(first));
            checkpoint = first.snapshot(1);
            if (!restore) {
                after.run(new Driver(first));
            }
            pairs.addAll(new Driver(first).pairs());
            dropped += first.metrics().recordsDropped();
        }
        if (restore) {
            try (TwoInputOperatorHarness second = join.restore(List.of(checkpoint))) {
                after.run(new Driver(second));
                pairs.addAll(new Driver(second).pairs());
                dropped += second.metrics().recordsDropped();
            }
        }
        pairs.sort(null);
        return new Outcome(pairs, dropped);
    }

    private static TwoInputOperatorHarness.Builder intervalJoin(long lower, long upper) {
        return TwoInputOperatorHarness.builder(() -> new IntervalJoinOperator(EVENTS_INPUT, EVENTS_INPUT, lower, upper,
                1 << 26), EVENTS, EVENTS);
    }

    /**
     * Interval [-2, 3]: a record at the watermark joins and one behind it is late; at watermark 13 the left
     * record at 10 is gone (Flink's timer at 10 + 3) though its segment, which holds a later record, is kept,
     * so a right record at 13, on the interval's bound, finds nothing; the right records at 13 stay until
     * watermark 15 (timers at 13 + 2), so a left record at 15 no longer finds them. A checkpoint taken between
     * and restored into a new operator changes nothing. Flink 2.2, the same sequence: the pairs below, and the
     * left record at 9 dropped.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anIntervalJoinJoinsRecordsAtTheWatermarkAndNotWhatFlinkCleanedUp(boolean restore) throws Exception {
        Outcome outcome = run(intervalJoin(-2, 3), restore, join -> join
                .watermark(10)
                .left(r(1, 10, 1), r(2, 20, 2))         // 1 at the watermark; 2 keeps their segment
                .left(r(1, 9, 3))                       // late
                .right(r(1, 10, 101))                   // pairs with 1 (d = 0)
                .right(r(1, 13, 102))                   // pairs with 1 (d = 3, the upper bound)
                .watermark(13)                          // 1 gone (timer 13), 101 gone (timer 12)
                .right(r(1, 13, 103)),                  // at the watermark, on 1's bound: 1 is gone
                join -> join
                .left(r(1, 13, 4))                      // pairs with 102 and 103
                .left(r(1, 15, 5))                      // pairs with 102 and 103 (their timers at 15 wait)
                .watermark(15)                          // 102 and 103 gone
                .right(r(1, 15, 104))                   // pairs with 4 and 5
                .left(r(1, 15, 6))                      // pairs with 104 only
                .watermark(Long.MAX_VALUE));
        assertEquals(List.of("1+101", "1+102", "4+102", "4+103", "4+104", "5+102", "5+103", "5+104", "6+104"),
                outcome.pairs());
        assertEquals(1, outcome.dropped(), "the left record at 9");
    }

    /**
     * Interval [0, 0] (Flink's between(-1, 1) with both bounds exclusive): the left record at 11 that was there
     * when the watermark reached 11 is gone (its timer at 11 fired), but one that arrives at the watermark
     * after that stays until the next watermark (its timer, registered at 11, fires only then), so right
     * records at 11 pair with it, also after a checkpoint taken between them is restored.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRecordAtTheWatermarkStaysUntilTheNextOneAsFlinksTimerDoes(boolean restore) throws Exception {
        JoinInterval interval = JoinInterval.between(Duration.ofMillis(-1), Duration.ofMillis(1)).lowerBoundExclusive()
                .upperBoundExclusive();
        Outcome outcome = run(intervalJoin(interval.firstMillis(), interval.lastMillis()), restore, join -> join
                .watermark(10)
                .left(r(1, 11, 1), r(2, 30, 2))         // 2 keeps their segment
                .watermark(11)                          // 1 gone (timer 11)
                .right(r(1, 11, 101))                   // 1 is gone
                .left(r(1, 11, 3)),                     // pairs with 101; its timer at 11 waits for the next watermark
                join -> join
                .right(r(1, 11, 102))                   // pairs with 3, not 1
                .watermark(12)                          // 3, 101, 102 gone
                .left(r(1, 11, 4))                      // late
                .left(r(1, 12, 5))
                .right(r(1, 12, 103))                   // pairs with 5
                .watermark(Long.MAX_VALUE));
        assertEquals(List.of("3+101", "3+102", "5+103"), outcome.pairs());
        assertEquals(1, outcome.dropped(), "the left record at 11 after watermark 12");
    }

    // ---- whole jobs, one record at a time

    /** A script step: the next record {@code (k, t, id)} of input {@code side} (0 left, 1 right). */
    private static long[] step(int side, long key, long time, long id) {
        return new long[] {side, key, time, id};
    }

    private static Tuple row(long[] step) {
        return Tuple.of(step[1], step[2], step[3]);
    }

    /**
     * Runs {@code join} over two one-subtask sources, each with a per-record watermark
     * ({@code boundedOutOfOrderness(t, 0).perRecord()}: highest - 1, as Flink's per-event generator), the join
     * at parallelism {@code p}, one record at a time: each step lets one source read its next record and
     * waits for a checkpoint (which the join takes only once it has processed that record), so the join sees
     * records and watermarks in the script's order whatever the threads do (Flink's side: each record waits
     * for its turn in a function chained after its source, then 150 ms for the join to take it and its
     * watermark). With {@code failAfter >= 0} the join fails on the record after step {@code failAfter}'s
     * checkpoint and the job goes on from that checkpoint. Returns each output row as
     * {@code "left id+right id"} (with {@code "@window start"} for a window join), sorted.
     */
    private List<String> runScript(int p, long[][] script, int failAfter, String joinName,
                                   BiFunction<KeyedStream, KeyedStream, DataStream> join) throws Exception {
        List<Tuple> leftRows = new ArrayList<>();
        List<Tuple> rightRows = new ArrayList<>();
        for (long[] step : script) {
            (step[0] == 0 ? leftRows : rightRows).add(row(step));
        }
        AtomicBoolean armed = new AtomicBoolean();
        SourceGate rightGate = new SourceGate((operator, subtask, rows) -> {
            if (operator.startsWith(joinName) && armed.compareAndSet(true, false)) {
                throw new IllegalStateException("injected failure in " + operator);
            }
        });
        SourceGate leftGate = new SourceGate(rightGate);
        SourceGate[] gates = {leftGate, rightGate};
        Environment env = Environment.streaming().setParallelism(p).setBatchSize(1)
                .enableCheckpointing(Duration.ZERO, dir.resolve("checkpoints-" + p + "-" + failAfter + "-" + joinName))
                .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).injectFailures(leftGate);
        KeyedStream left = perRecord(env, leftGate, "left", leftRows);
        KeyedStream right = perRecord(env, rightGate, "right", rightRows);
        List<Tuple> out = new ArrayList<>();
        join.apply(left, right).collect(out);
        leftGate.holdAt(0);
        rightGate.holdAt(0);
        JobHandle job = env.executeAsync("script");
        int attempt = 0;
        long[] counts = new long[2];
        for (int i = 0; i < script.length; i++) {
            int side = (int) script[i][0];
            if (failAfter >= 0 && i == failAfter + 1) {
                leftGate.holdAt(attempt + 1, counts[0], counts[0]);
                rightGate.holdAt(attempt + 1, counts[1], counts[1]);
                armed.set(true);
                gates[side].holdAt(attempt, counts[side] + 1, counts[side] + 1);
                attempt++;
                leftGate.awaitStarted(job, attempt);
            }
            counts[side]++;
            gates[side].holdAt(attempt, counts[side], counts[side]);
            leftGate.awaitHeld(job, attempt);
            rightGate.awaitHeld(job, attempt);
            if (i < script.length - 1) {
                SourceGate.checkpoint(job);
            }
        }
        leftGate.release(attempt);
        rightGate.release(attempt);
        JobResult result = job.await();
        assertEquals(failAfter >= 0 ? 1 : 0, result.restarts(), "restarts");
        List<String> pairs = new ArrayList<>();
        for (Tuple t : out) {
            String pair = t.field(2) + "+" + t.field(4);
            pairs.add(t.arity() == 7 ? pair + "@" + ((Instant) t.field(5)).toEpochMilli() : pair);
        }
        pairs.sort(null);
        return pairs;
    }

    private static KeyedStream perRecord(Environment env, SourceGate gate, String name, List<Tuple> rows) {
        return env.fromSource(gate.wrap(new CollectionSource(name, EVENTS, rows)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("t", Duration.ZERO).perRecord())
                .keyBy("k");
    }

    /**
     * The last records of a script: an input whose source has ended has the watermark MAX (in Flink too), so
     * what a script checks comes before either ends.
     */
    private static final long[] LEFT_LAST = step(0, 2, 60, 83);
    private static final long[] RIGHT_LAST = step(1, 9, 1001, 91);

    /**
     * Interval (-3, 4) exclusive, i.e. [-2, 3]. The right record (9, 1000) first lifts the right input's
     * watermark out of the way, so the join's watermark is the left input's: highest left time - 1. Flink 2.2
     * (the same records one at a time through two one-subtask sources with a per-event generator, the join at
     * parallelism 1 and 2): {@code [1+101, 1+102, 3+102, 3+103, 3+104, 4+102, 4+103, 4+104, 5+104]}.
     */
    private static final long[][] INTERVAL_SCRIPT = {
        step(1, 9, 1000, 90),
        step(0, 2, 11, 80),         // watermark 10
        step(0, 1, 10, 1),          // at the watermark: joins
        step(0, 1, 9, 2),           // late
        step(1, 1, 10, 101),        // 1+101
        step(1, 1, 13, 102),        // 1+102, on the upper bound
        step(0, 2, 14, 81),         // watermark 13: 1 gone (timer 10 + 3), 101 gone (timer 10 + 2)
        step(1, 1, 13, 103),        // at the watermark, on 1's bound, but 1 is gone
        step(0, 1, 13, 3),          // 3+102, 3+103
        step(0, 1, 15, 4),          // 4+102, 4+103
        step(0, 2, 16, 82),         // watermark 15: 102 and 103 gone (timers 13 + 2)
        step(1, 1, 15, 104),        // 3+104, 4+104
        step(0, 1, 15, 5),          // 5+104 only
        step(1, 1, 14, 105),        // late
        LEFT_LAST,
        RIGHT_LAST};

    /**
     * Interval (-1, 1) exclusive, i.e. [0, 0]: a record at the watermark after it advanced stays until the next
     * advance, one there before it is gone. Flink 2.2, as above: {@code [2+101, 2+102, 4+103]}.
     */
    private static final long[][] POINT_SCRIPT = {
        step(1, 9, 1000, 90),
        step(0, 2, 11, 80),         // watermark 10
        step(0, 1, 11, 1),
        step(0, 2, 12, 81),         // watermark 11: 1 gone (timer 11)
        step(1, 1, 11, 101),        // 1 is gone
        step(0, 1, 11, 2),          // 2+101
        step(1, 1, 11, 102),        // 2+102, not 1
        step(0, 2, 13, 82),         // watermark 12
        step(0, 1, 11, 3),          // late
        step(0, 1, 12, 4),
        step(1, 1, 12, 103),        // 4+103
        LEFT_LAST,
        RIGHT_LAST};

    private static final String INTERVAL = "keyBy(k).intervalJoin";

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void anIntervalJoinMakesFlinksPairsRecordByRecordAlsoThroughARestore(int p) throws Exception {
        JoinInterval wide = JoinInterval.between(Duration.ofMillis(-3), Duration.ofMillis(4)).lowerBoundExclusive()
                .upperBoundExclusive();
        JoinInterval point = JoinInterval.between(Duration.ofMillis(-1), Duration.ofMillis(1)).lowerBoundExclusive()
                .upperBoundExclusive();
        List<String> flinkWide = List.of("1+101", "1+102", "3+102", "3+103", "3+104", "4+102", "4+103", "4+104",
                "5+104");
        List<String> flinkPoint = List.of("2+101", "2+102", "4+103");
        // The restores: after the left record at the watermark 13 was let go of; after the record at 11 that stays.
        for (int failAfter : new int[] {-1, 7}) {
            assertEquals(flinkWide, runScript(p, INTERVAL_SCRIPT, failAfter, INTERVAL,
                    (l, r) -> l.intervalJoin(r, wide)), "fail after step " + failAfter);
        }
        for (int failAfter : new int[] {-1, 5}) {
            assertEquals(flinkPoint, runScript(p, POINT_SCRIPT, failAfter, INTERVAL,
                    (l, r) -> l.intervalJoin(r, point)), "fail after step " + failAfter);
        }
    }

    /**
     * Tumbling 10 ms: a record is late when its window's last millisecond is at or behind the watermark (a
     * record at 9 under watermark 9, at 19 under 19), not when the record is at the watermark (18 under 18).
     * Flink 2.2 (a {@code join(...).where(k).equalTo(k).window(TumblingEventTimeWindows.of(10 ms))}, the same
     * records one at a time): {@code [2+101@10, 2+102@10, 2+103@10, 3+105@20]}.
     */
    private static final long[][] WINDOW_SCRIPT = {
        step(1, 9, 1000, 90),
        step(0, 2, 10, 80),         // watermark 9: [0, 10) fires
        step(0, 1, 9, 1),           // late: [0, 10) has fired
        step(0, 1, 10, 2),
        step(1, 1, 10, 101),
        step(1, 1, 19, 102),
        step(0, 2, 19, 81),         // watermark 18
        step(1, 1, 18, 103),        // at the watermark, its window [10, 20) still open
        step(0, 2, 20, 82),         // watermark 19: [10, 20) fires: 2+101, 2+102, 2+103
        step(1, 1, 19, 104),        // late
        step(0, 1, 20, 3),
        step(1, 1, 29, 105),        // 3+105 when [20, 30) fires
        LEFT_LAST,
        RIGHT_LAST};

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aWindowJoinDropsWhatFlinksDropsRecordByRecordAlsoThroughARestore(int p) throws Exception {
        for (int failAfter : new int[] {-1, 7}) {
            assertEquals(List.of("2+101@10", "2+102@10", "2+103@10", "3+105@20"), runScript(p, WINDOW_SCRIPT, failAfter,
                    "keyBy(k).windowJoin", (l, r) -> l.windowJoin(r, Windows.tumbling(Duration.ofMillis(10)))),
                    "fail after step " + failAfter);
        }
    }
}
