package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.Record;
import io.riffle.engine.internal.operator.harness.OneInputOperatorHarness;
import io.riffle.engine.internal.operator.harness.Rescaling;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Process window functions over time windows and over count windows, driven alone: each window's records
 * in arrival order, late records to the side output, and a checkpoint restored at another parallelism.
 */
class WindowProcessOperatorTest {
    /** (key, value, time). */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    /** (key, window start, the window's values in arrival order). */
    private static final BatchSchema VALUES = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("start", ColumnType.INT64), Column.of("values", ColumnType.UTF8));
    private static final int LATE = 0;
    private static final ProcessWindowFunction LIST_VALUES = (key, window, records, out) -> {
        StringBuilder values = new StringBuilder();
        for (Record r : records) {
            values.append(values.length() > 0 ? " " : "").append(r.getLong(1));
        }
        out.collect(key, window.start(), values.toString());
    };

    @TempDir
    Path dir;

    private static OneInputOperatorHarness.Builder timeWindows(long size, long slide) {
        return OneInputOperatorHarness.builder(() -> new WindowProcessOperator(LIST_VALUES, EVENTS, VALUES, 0,
                EventTimeField.of(2), WindowSpec.sliding(size, slide), 1L << 26, LateOutput.toSideOutput(LATE)), EVENTS).name("process windows").batchSize(16);
    }

    private static OneInputOperatorHarness.Builder countWindows(long size, long slide) {
        return OneInputOperatorHarness.builder(() -> CountWindowProcessOperator.processing(LIST_VALUES, VALUES, EVENTS,
                0, size, slide, 1L << 26), EVENTS).name("process count windows").batchSize(16);
    }

    @Test
    void aTimeWindowGetsItsRecordsInArrivalOrderAndALateOneGoesToTheSideOutput() throws Exception {
        try (OneInputOperatorHarness h = timeWindows(10, 10).open()) {
            h.process(row(1L, 3L, 7L), row(1L, 1L, 2L), row(2L, 5L, 5L), row(1L, 8L, 12L));
            h.processWatermark(9);
            h.process(row(1L, 4L, 9L));
            h.endInput();
            assertEquals(List.of("(1,0,3 1)", "(2,0,5)", "watermark 9", "side 0 (1,4,9)", "(1,10,8)", "watermark MAX"),
                    h.output().events());
            assertEquals(List.of(List.of(1L, 4L, Instant.ofEpochMilli(9))), h.output().sideRows(LATE));
            assertEquals(1, h.metrics().recordsDropped());
        }
    }

    /** Sliding count windows of 3 every 2 (Flink's countWindow(3, 2)): a key's every second record fires its last 3. */
    @Test
    void aSlidingCountWindowFiresWithEverySlideOfRecords() throws Exception {
        try (OneInputOperatorHarness h = countWindows(3, 2).open()) {
            h.process(row(1L, 1L, 0L), row(1L, 2L, 0L), row(2L, 10L, 0L), row(1L, 3L, 0L), row(1L, 4L, 0L),
                    row(1L, 5L, 0L), row(2L, 20L, 0L), row(1L, 6L, 0L));
            String global = "," + Long.MIN_VALUE + ",";
            assertEquals(List.of("(1" + global + "1 2)", "(1" + global + "2 3 4)", "(2" + global + "10 20)",
                    "(1" + global + "4 5 6)"), h.output().rowStrings());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aCheckpointRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        Rescaling.Feed<OneInputOperatorHarness> before = h -> {
            h.process(events(0, 30));
            h.processWatermark(15);
        };
        Rescaling.Feed<OneInputOperatorHarness> after = h -> {
            h.process(events(30, 60));
            h.processWatermark(45);
        };
        for (OneInputOperatorHarness.Builder operator : List.of(timeWindows(20, 10).keyedBy(0),
                countWindows(3, 2).keyedBy(0))) {
            List<String> uninterrupted = Rescaling.uninterrupted(operator, before, after);
            assertEquals(uninterrupted, Rescaling.rescaled(operator, dir, 2, parallelism, before, after));
        }
    }

    /** Record t of [from, to): key t mod 7, value t, time t. */
    private static Object[][] events(int from, int to) {
        List<Object[]> rows = new ArrayList<>();
        for (long t = from; t < to; t++) {
            rows.add(row(t % 7, t, t));
        }
        return rows.toArray(new Object[0][]);
    }
}
