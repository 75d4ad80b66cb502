package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.operator.harness.Rescaling;
import io.riffle.engine.internal.operator.harness.TwoInputOperatorHarness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interval and window joins driven alone through the two-input harness: exact pairs and the watermarks they
 * are emitted under, and the rows each keeps restored at another parallelism. {@code StreamJoinTest} has
 * their lateness, clean-up and damaged state.
 */
class StreamJoinOperatorTest {
    /** Both inputs: (k, t, id); output (k, t, id, right_t, right_id, join_time or window_start, window_end). */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("t", ColumnType.INT64), Column.of("id", ColumnType.INT64));
    private static final JoinInput EVENTS_INPUT = new JoinInput(EVENTS, 0, EventTimeField.of(1));

    @TempDir
    Path dir;

    private static TwoInputOperatorHarness.Builder intervalJoin(long lower, long upper) {
        return TwoInputOperatorHarness.builder(() -> new IntervalJoinOperator(EVENTS_INPUT, EVENTS_INPUT, lower, upper,
                1 << 26), EVENTS, EVENTS).name("interval join").batchSize(16);
    }

    private static TwoInputOperatorHarness.Builder windowJoin(long size, long slide) {
        return TwoInputOperatorHarness.builder(() -> new WindowJoinOperator(EVENTS_INPUT, EVENTS_INPUT,
                WindowSpec.sliding(size, slide), 1 << 26), EVENTS, EVENTS).name("window join").batchSize(16);
    }

    /** A pair is emitted when its second row arrives, stamped with the later time of the two. */
    @Test
    void anIntervalJoinEmitsAPairWithItsSecondRow() throws Exception {
        try (TwoInputOperatorHarness h = intervalJoin(-2, 3).open()) {
            h.processLeft(row(1L, 10L, 1L), row(2L, 10L, 2L));
            h.processRight(row(1L, 8L, 101L), row(1L, 14L, 102L), row(2L, 13L, 103L));
            h.processWatermark(9);
            h.processLeft(row(1L, 11L, 3L));
            h.endInput();
            assertEquals(List.of("(1,10,1,8,101,10)", "(2,10,2,13,103,13)", "watermark 9", "(1,11,3,14,102,14)",
                    "watermark MAX"), h.output().events());
        }
    }

    /** Windows fire with the watermark at their last millisecond, a sliding window's pairs once per window. */
    @Test
    void aWindowJoinEmitsEachWindowsPairsWhenItFires() throws Exception {
        try (TwoInputOperatorHarness h = windowJoin(20, 10).open()) {
            h.processLeft(row(1L, 5L, 1L), row(1L, 15L, 2L));
            h.processRight(row(1L, 12L, 101L), row(2L, 12L, 102L));
            h.processWatermark(19);
            h.endInput();
            assertEquals(List.of("(1,5,1,12,101,0,20)", "(1,15,2,12,101,0,20)", "watermark 19", "(1,15,2,12,101,10,30)",
                    "watermark MAX"), h.output().events());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void anIntervalJoinRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        List<String> uninterrupted = Rescaling.uninterrupted(intervalJoin(-5, 5).keyedBy(0, 0), BEFORE, AFTER);
        assertEquals(pairs(-5, 5), uninterrupted.size());
        assertEquals(uninterrupted, Rescaling.rescaled(intervalJoin(-5, 5).keyedBy(0, 0), dir, 2, parallelism,
                BEFORE, AFTER));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aWindowJoinRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        List<String> uninterrupted = Rescaling.uninterrupted(windowJoin(20, 10).keyedBy(0, 0), BEFORE, AFTER);
        assertEquals(uninterrupted, Rescaling.rescaled(windowJoin(20, 10).keyedBy(0, 0), dir, 2, parallelism,
                BEFORE, AFTER));
    }

    /** Rows of times [0, 30) on both sides, then watermark 15. */
    private static final Rescaling.Feed<TwoInputOperatorHarness> BEFORE = h -> {
        h.processLeft(rows(0, 30, 0));
        h.processRight(rows(0, 30, 1000));
        h.processWatermark(15);
    };

    /** Rows of times [30, 60) on both sides, then watermark 45. */
    private static final Rescaling.Feed<TwoInputOperatorHarness> AFTER = h -> {
        h.processLeft(rows(30, 60, 0));
        h.processRight(rows(30, 60, 1000));
        h.processWatermark(45);
    };

    /** Row t of [from, to): (t mod 7, t, t + id offset). */
    private static Object[][] rows(int from, int to, long ids) {
        List<Object[]> rows = new ArrayList<>();
        for (long t = from; t < to; t++) {
            rows.add(row(t % 7, t, t + ids));
        }
        return rows.toArray(new Object[0][]);
    }

    /** The pairs of rows of times [0, 60) with equal keys (time mod 7) and right time - left time in [lower, upper]. */
    private static int pairs(long lower, long upper) {
        int pairs = 0;
        for (long l = 0; l < 60; l++) {
            for (long r = 0; r < 60; r++) {
                pairs += l % 7 == r % 7 && r - l >= lower && r - l <= upper ? 1 : 0;
            }
        }
        return pairs;
    }
}
