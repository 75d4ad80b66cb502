package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.operator.harness.OneInputOperatorHarness;
import io.riffle.engine.internal.operator.harness.StateHandle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Watermark assignment driven alone: per batch and per record (a late record in a piece of its own),
 * incoming watermarks dropped but the final one, idleness by processing time, and a restored assigner's
 * first watermark.
 */
class WatermarkAssignerOperatorTest {
    /** (name, time). */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("name", ColumnType.UTF8),
            Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final long IDLE_NANOS = 1_000_000;

    private static OneInputOperatorHarness.Builder perBatch(long outOfOrderness, long idleNanos) {
        return OneInputOperatorHarness.builder(() -> WatermarkAssignerOperator.perBatch(EVENTS, 1, outOfOrderness,
                idleNanos), EVENTS).name("watermarks").batchSize(8);
    }

    private static OneInputOperatorHarness.Builder perRecord(long outOfOrderness) {
        return OneInputOperatorHarness.builder(() -> WatermarkAssignerOperator.perRecord(EVENTS, 1, outOfOrderness, 0),
                EVENTS).name("watermarks").batchSize(8);
    }

    @Test
    void aBatchThatRaisesTheHighestTimeIsFollowedByItsWatermark() throws Exception {
        try (OneInputOperatorHarness h = perBatch(3, 0).open()) {
            h.process(row("a", 5L), row("b", 20L), row("c", 12L));
            h.process(row("d", 10L));
            h.processWatermark(100);
            h.endInput();
            assertEquals(List.of("(a,5)", "(b,20)", "(c,12)", "watermark 16", "(d,10)", "watermark MAX"),
                    h.output().events());
        }
    }

    /** Per record, a watermark right after each record that raises it; a record at or below it travels alone. */
    @Test
    void perRecordAWatermarkFollowsEachRecordThatRaisesIt() throws Exception {
        try (OneInputOperatorHarness h = perRecord(0).open()) {
            h.process(row("a", 5L), row("b", 3L), row("c", 8L), row("d", 4L), row("e", 9L), row("f", 9L));
            assertEquals(List.of("(a,5)", "watermark 4", "(b,3)", "(c,8)", "watermark 7", "(d,4)", "(e,9)",
                    "watermark 8", "(f,9)"), h.output().events());
            assertEquals(List.of(1, 1, 1, 1, 1, 1), h.output().batchRowCounts());
        }
    }

    /** The stream is idle once no record came for the idle timeout, and active again with the next record. */
    @Test
    void noRecordForTheIdleTimeoutMarksTheStreamIdle() throws Exception {
        try (OneInputOperatorHarness h = perBatch(0, IDLE_NANOS).open()) {
            long beforeTheRecord = System.nanoTime();
            h.process(row("a", 5L));
            h.advanceProcessingTime(beforeTheRecord);
            long timedOut = System.nanoTime() + IDLE_NANOS;
            h.advanceProcessingTime(timedOut);
            h.advanceProcessingTime(timedOut + IDLE_NANOS);
            h.process(row("b", 9L));
            assertEquals(List.of("(a,5)", "watermark 4", "watermark IDLE", "(b,9)", "watermark 8"), h.output().events());
        }
        try (OneInputOperatorHarness h = perBatch(0, 0).open()) {
            h.advanceProcessingTime(System.nanoTime() + IDLE_NANOS);
            assertEquals(List.of(), h.output().events());
        }
    }

    /**
     * Restored at another parallelism, every subtask first emits the lowest watermark the old subtasks had
     * emitted, and goes on from the lowest highest time.
     */
    @Test
    void aRestoredAssignerStartsFromTheLowestOldWatermark() throws Exception {
        List<StateHandle> checkpoint = new ArrayList<>();
        long[] highest = {20, 50};
        for (int s = 0; s < 2; s++) {
            try (OneInputOperatorHarness h = perBatch(3, 0).subtask(s, 2).open()) {
                h.process(row("x", highest[s]));
                checkpoint.add(h.snapshot(1));
            }
        }
        for (int s = 0; s < 3; s++) {
            try (OneInputOperatorHarness h = perBatch(3, 0).subtask(s, 3).restore(checkpoint)) {
                h.process(row("y", 18L));
                h.process(row("z", 30L));
                assertEquals(List.of("watermark 16", "(y,18)", "(z,30)", "watermark 26"), h.output().events());
            }
        }
    }
}
