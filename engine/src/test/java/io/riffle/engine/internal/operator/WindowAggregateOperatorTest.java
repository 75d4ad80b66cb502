package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.engine.internal.operator.harness.OneInputOperatorHarness;
import io.riffle.engine.internal.operator.harness.Rescaling;
import io.riffle.engine.internal.runtime.Watermark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keyed event-time windows with aggregates, driven alone: windows fire at their last millisecond, late
 * records go to the side output, allowed lateness fires a window again, and a checkpoint restored at
 * another parallelism gives what an uninterrupted run gives.
 */
class WindowAggregateOperatorTest {
    /** (key, value, time): output rows are (key, window_start, window_end, sum(value), count()). */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final int LATE = 0;

    @TempDir
    Path dir;

    private static WindowAggregateOperator windows(long size, long slide, long lateness) {
        return new WindowAggregateOperator(EVENTS, 0, new Aggregate[] {Aggregate.sum(1), Aggregate.count()},
                EventTimeField.of(2), WindowSpec.sliding(size, slide).withAllowedLateness(lateness), 1L << 26,
                LateOutput.toSideOutput(LATE));
    }

    private static OneInputOperatorHarness.Builder harness(long size, long slide, long lateness) {
        return OneInputOperatorHarness.builder(() -> windows(size, slide, lateness), EVENTS).name("windows").batchSize(64);
    }

    @Test
    void aTumblingWindowFiresWhenTheWatermarkReachesItsLastMillisecond() throws Exception {
        try (OneInputOperatorHarness h = harness(10, 10, 0).open()) {
            h.process(row(1L, 1L, 0L), row(2L, 5L, 3L), row(1L, 2L, 9L), row(1L, 4L, 10L), row(2L, 7L, 15L));
            h.processWatermark(8);
            assertEquals(List.of("watermark 8"), h.output().events());
            h.processWatermark(9);
            h.endInput();
            assertEquals(List.of("watermark 8", "(1,0,10,3,2)", "(2,0,10,5,1)", "watermark 9", "(1,10,20,4,1)",
                    "(2,10,20,7,1)", "watermark MAX"), h.output().events());
        }
    }

    @Test
    void aRecordIsInEverySlidingWindowThatHoldsIt() throws Exception {
        try (OneInputOperatorHarness h = harness(20, 10, 0).open()) {
            h.process(row(1L, 1L, 5L), row(1L, 2L, 15L), row(1L, 4L, 25L));
            h.processWatermark(19);
            assertEquals(List.of("(1,-10,10,1,1)", "(1,0,20,3,2)", "watermark 19"), h.output().events());
            h.endInput();
            assertEquals(List.of("(1,-10,10,1,1)", "(1,0,20,3,2)", "(1,10,30,6,2)", "(1,20,40,4,1)"),
                    h.output().rowStrings());
            assertEquals(List.of(19L, Watermark.MAX), h.output().watermarks());
        }
    }

    @Test
    void aRecordWhoseWindowsFiredGoesToTheSideOutputAndIsCounted() throws Exception {
        try (OneInputOperatorHarness h = harness(10, 10, 0).open()) {
            h.process(row(1L, 1L, 5L));
            h.processWatermark(9);
            h.process(row(1L, 2L, 7L), row(1L, 3L, 12L));
            h.endInput();
            assertEquals(List.of("(1,0,10,1,1)", "(1,10,20,3,1)"), h.output().rowStrings());
            assertEquals(List.of(List.of(1L, 2L, java.time.Instant.ofEpochMilli(7))), h.output().sideRows(LATE));
            assertEquals(1, h.metrics().recordsDropped());
        }
    }

    /** Within the allowed lateness a late record fires its window again with it; after it, it is late. */
    @Test
    void aRecordWithinTheAllowedLatenessFiresItsWindowAgain() throws Exception {
        try (OneInputOperatorHarness h = harness(10, 10, 5).open()) {
            h.process(row(1L, 1L, 5L));
            h.processWatermark(9);
            h.process(row(1L, 2L, 7L), row(2L, 9L, 3L));
            h.processWatermark(14);
            h.process(row(1L, 4L, 8L));
            assertEquals(List.of("(1,0,10,1,1)", "watermark 9", "(1,0,10,3,2)", "(2,0,10,9,1)", "watermark 14",
                    "side 0 (1,4,8)"), h.output().events());
            assertEquals(1, h.metrics().recordsDropped());
        }
    }

    /** Keys 0..19 at times 0..59; a checkpoint at 30 with the windows before watermark 15 fired. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aCheckpointRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        Rescaling.Feed<OneInputOperatorHarness> before = h -> {
            h.process(rows(0, 30));
            h.processWatermark(15);
        };
        Rescaling.Feed<OneInputOperatorHarness> after = h -> {
            h.process(rows(30, 60));
            h.processWatermark(45);
        };
        List<String> uninterrupted = Rescaling.uninterrupted(harness(20, 10, 0).keyedBy(0), before, after);
        assertEquals(20 * 6, uninterrupted.size(), "each key has 3 records, each in 2 windows");
        assertEquals(uninterrupted, Rescaling.rescaled(harness(20, 10, 0).keyedBy(0), dir, 2, parallelism, before, after));
    }

    /** Record t of [from, to): key t mod 20, value t, time t. */
    private static Object[][] rows(int from, int to) {
        List<Object[]> rows = new ArrayList<>();
        for (long t = from; t < to; t++) {
            rows.add(row(t % 20, t, t));
        }
        return rows.toArray(new Object[0][]);
    }
}
