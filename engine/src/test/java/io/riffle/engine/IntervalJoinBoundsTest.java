package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.operator.EventTimeField;
import io.riffle.engine.internal.operator.IntervalJoinOperator;
import io.riffle.engine.internal.operator.JoinInput;
import io.riffle.engine.internal.operator.harness.TwoInputOperatorHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inclusive and exclusive interval-join bounds as Flink's {@code between(lower, upper)} with
 * {@code lowerBoundExclusive()} and {@code upperBoundExclusive()}: an exclusive bound is the inclusive one
 * a millisecond inside (Flink's IntervalJoinOperator adds 1 to an exclusive lower bound and subtracts 1 from
 * an exclusive upper one), for the pairs and for when a record is let go of.
 */
@Timeout(60)
class IntervalJoinBoundsTest {
    private static final BatchSchema LEFT = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("ts", ColumnType.INT64));
    private static final BatchSchema RIGHT = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("t", ColumnType.INT64));
    /** Keyed by field 0, event time in field 1. */
    private static final JoinInput LEFT_INPUT = new JoinInput(LEFT, 0, EventTimeField.of(1));
    /** Keyed by field 0, event time in field 1. */
    private static final JoinInput RIGHT_INPUT = new JoinInput(RIGHT, 0, EventTimeField.of(1));
    private static final Duration TWO = Duration.ofMillis(2);

    /** Right records 3 and 2 ms either side of the left one at 100, and at it; key 2 has one on each bound only. */
    private static List<Long> joinedTimes(int p, JoinInterval interval) {
        Environment env = Environment.streaming().setParallelism(p).setBatchSize(2);
        List<Tuple> left = List.of(Tuple.of(1L, 100L), Tuple.of(2L, 100L));
        List<Tuple> right = List.of(Tuple.of(1L, 97L), Tuple.of(1L, 98L), Tuple.of(1L, 100L), Tuple.of(1L, 102L),
                Tuple.of(1L, 103L), Tuple.of(2L, 98L), Tuple.of(2L, 102L));
        List<Tuple> out = stream(env, left, LEFT).intervalJoin(stream(env, right, RIGHT), interval).executeAndCollect();
        List<Long> times = new ArrayList<>();
        for (Tuple t : out) {
            times.add((Long) t.field(0) * 1000 + (Long) t.field(2));
        }
        times.sort(null);
        return times;
    }

    private static KeyedStream stream(Environment env, List<Tuple> rows, BatchSchema schema) {
        return env.fromCollection(rows, schema).assignTimestampsAndWatermarks(
                WatermarkStrategy.boundedOutOfOrderness(schema.column(1).name(), Duration.ofMillis(50))).keyBy("k");
    }

    /** Each pair as {@code key * 1000 + right time}, sorted: what Flink emits for the same input and bounds. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void exclusiveBoundsLeaveOutTheRecordsOnThem(int p) {
        JoinInterval both = JoinInterval.between(TWO.negated(), TWO);
        assertEquals(List.of(1098L, 1100L, 1102L, 2098L, 2102L), joinedTimes(p, both));
        assertEquals(List.of(1100L, 1102L, 2102L), joinedTimes(p, both.lowerBoundExclusive()));
        assertEquals(List.of(1098L, 1100L, 2098L), joinedTimes(p, both.upperBoundExclusive()));
        assertEquals(List.of(1100L), joinedTimes(p, both.lowerBoundExclusive().upperBoundExclusive()));
        // [0, 1) holds only 0: the right record at the left one's instant.
        assertEquals(List.of(1100L), joinedTimes(p, JoinInterval.between(Duration.ZERO, Duration.ofMillis(1))
                .upperBoundExclusive()));
    }

    @Test
    void theThreeArgumentJoinIsTheInclusiveOne() {
        Environment env = Environment.streaming().setBatchSize(3);
        List<Tuple> left = List.of(Tuple.of(1L, 100L));
        List<Tuple> right = List.of(Tuple.of(1L, 97L), Tuple.of(1L, 98L), Tuple.of(1L, 102L), Tuple.of(1L, 103L));
        assertEquals(sorted(List.of(Tuple.of(1L, 100L, 98L, Instant.ofEpochMilli(100)),
                Tuple.of(1L, 100L, 102L, Instant.ofEpochMilli(102)))), sorted(stream(env, left, LEFT)
                .intervalJoin(stream(env, right, RIGHT), TWO.negated(), TWO).executeAndCollect()));
    }

    @Test
    void anIntervalThatHoldsNoMillisecondIsRefused() {
        Environment env = Environment.streaming();
        KeyedStream left = stream(env, List.of(Tuple.of(1L, 1L)), LEFT);
        KeyedStream right = stream(env, List.of(Tuple.of(1L, 1L)), RIGHT);
        assertEquals("keyBy(k).intervalJoin(k, PT0S exclusive, PT0S): the interval holds no millisecond, so nothing"
                + " would ever join; make a bound inclusive or widen the interval",
                assertThrows(IllegalArgumentException.class, () -> left.intervalJoin(right,
                        JoinInterval.between(Duration.ZERO, Duration.ZERO).lowerBoundExclusive())).getMessage());
        assertEquals("keyBy(k).intervalJoin(k, PT0S exclusive, PT0.001S exclusive): the interval holds no"
                + " millisecond, so nothing would ever join; make a bound inclusive or widen the interval",
                assertThrows(IllegalArgumentException.class, () -> left.intervalJoin(right, JoinInterval.between(
                        Duration.ZERO, Duration.ofMillis(1)).lowerBoundExclusive().upperBoundExclusive())).getMessage());
        assertEquals("keyBy(k).intervalJoin(k, PT0.002S, PT-0.002S exclusive): the lower bound PT0.002S is above the"
                + " upper bound PT-0.002S", assertThrows(IllegalArgumentException.class, () -> left.intervalJoin(right,
                        JoinInterval.between(TWO, TWO.negated()).upperBoundExclusive())).getMessage());
    }

    /**
     * With exclusive bounds, a record is let go of as soon as the narrowed interval allows, as by Flink's
     * clean-up timers at {@code time + (upper - 1)} (left) and {@code time - (lower + 1)} (right): with
     * {@code (-2, 5)} a left record at 100 is past use at watermark 104, not 105, a right one at 101, not 102.
     */
    @Test
    void exclusiveBoundsLetGoOfRecordsAMillisecondSooner() throws Exception {
        JoinInterval interval = JoinInterval.between(TWO.negated(), Duration.ofMillis(5)).lowerBoundExclusive()
                .upperBoundExclusive();
        for (int input = 0; input < 2; input++) {
            long pastUse = input == 0 ? 104 : 101;
            try (TwoInputOperatorHarness join = TwoInputOperatorHarness.builder(() -> new IntervalJoinOperator(
                    new JoinInput(LEFT, 0, EventTimeField.of(1)), new JoinInput(RIGHT, 0, EventTimeField.of(1)),
                    interval.firstMillis(), interval.lastMillis(), 1 << 26),
                    LEFT, RIGHT).name("join").batchSize(64).open()) {
                long opened = join.allocator().getAllocatedMemory();
                if (input == 0) {
                    join.processLeft(row(1L, 100L));
                } else {
                    join.processRight(row(1L, 100L));
                }
                join.processWatermark(pastUse - 1);
                assertEquals(true, join.allocator().getAllocatedMemory() > opened, "input " + input + " kept at "
                        + (pastUse - 1));
                join.processWatermark(pastUse);
                assertEquals(opened, join.allocator().getAllocatedMemory(), "input " + input + " let go of at " + pastUse);
            }
        }
    }
}
