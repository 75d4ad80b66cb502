package io.riffle.engine.internal.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.AggregateKind;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;

class WindowSpecTest {
    @Test
    void paneIsTheGreatestCommonDivisorOfSizeAndSlide() {
        assertEquals(100, WindowSpec.sliding(300, 100).pane());
        assertEquals(20, WindowSpec.sliding(60, 40).pane());
        assertEquals(1000, WindowSpec.tumbling(1000).pane());
        assertTrue(WindowSpec.tumbling(1000).onePanePerWindow());
        assertFalse(WindowSpec.sliding(300, 100).onePanePerWindow());
    }

    @Test
    void theOffsetIsKeptModuloTheSlideAndShiftsWindowStartsAlsoBeforeTheEpoch() {
        WindowSpec windows = WindowSpec.sliding(300, 100).withOffset(-30);
        assertEquals(70, windows.offset());
        assertEquals(970, windows.lastWindowStart(970));
        assertEquals(970, windows.lastWindowStart(1069));
        assertEquals(-30, windows.lastWindowStart(-1));
        assertEquals(-130, windows.lastWindowStart(-31));
    }

    @Test
    void aSlideLongerThanTheSizeLeavesTimesBetweenWindows() {
        WindowSpec sampling = WindowSpec.sliding(2000, 5000).withOffset(1000);
        assertTrue(sampling.inWindow(1000));
        assertTrue(sampling.inWindow(2999));
        assertFalse(sampling.inWindow(3000));
        assertFalse(sampling.inWindow(5999));
        assertTrue(sampling.inWindow(6000));
    }

    @Test
    void aTimeExpiresOnceEveryWindowHoldingItIsPastItsAllowedLateness() {
        WindowSpec windows = WindowSpec.sliding(300, 100);
        assertEquals(799, windows.expiredThrough(999), "the windows of 799 end by 800, 900 and 1000");
        assertEquals(699, windows.withAllowedLateness(100).expiredThrough(999));
        assertEquals(Long.MIN_VALUE, windows.expiredThrough(Long.MIN_VALUE));
        assertEquals(Long.MIN_VALUE, windows.expiredThrough(Long.MIN_VALUE + 300), "no window before the first start");
        assertEquals(Long.MAX_VALUE, windows.expiredThrough(Long.MAX_VALUE));
    }

    @Test
    void aNegativeLatenessOrAnEmptyWindowIsRefusedNamingTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WindowSpec.tumbling(1000).withAllowedLateness(-1));
        assertEquals("windows of 1000 ms every 1000 ms with -1 ms allowed lateness: size and slide must be positive,"
                + " lateness not negative", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WindowSpec.sliding(0, 100));
    }

    @Test
    void partialResultsCombineBySumMinAndMaxButAnAverageDoesNot() {
        assertEquals(AggregateKind.SUM, PartialAggregates.merging(AggregateKind.SUM, 1).kind());
        assertEquals(AggregateKind.SUM, PartialAggregates.merging(AggregateKind.COUNT, 1).kind());
        assertEquals(AggregateKind.MIN, PartialAggregates.merging(AggregateKind.MIN, 1).kind());
        assertEquals(AggregateKind.MAX, PartialAggregates.merging(AggregateKind.MAX, 1).kind());
        assertEquals(null, PartialAggregates.merging(AggregateKind.AVG, 1));
    }

    @Test
    void anAverageIsKeptAsASumAndACountInPartialResults() {
        PartialAggregates parts = PartialAggregates.of(GeneratorSource.SCHEMA, 0, Aggregate.avg(1), Aggregate.max(1));
        assertEquals("(key: int64, sum0: int64, count0: int64, p1: int64)", parts.partialSpec().outputSchema().toString());
        assertEquals(AggregateKind.SUM, parts.mergeSpec().kindOf(0));
        assertEquals(AggregateKind.SUM, parts.mergeSpec().kindOf(1));
        assertEquals(AggregateKind.MAX, parts.mergeSpec().kindOf(2));
    }

    @Test
    void lateRecordsGoToASideOutputOnlyWhenOneIsNamed() {
        assertFalse(LateOutput.COUNT_ONLY.sent());
        assertTrue(LateOutput.toSideOutput(0).sent());
        assertEquals(2, LateOutput.toSideOutput(2).sideOutput());
        assertThrows(IllegalArgumentException.class, () -> LateOutput.toSideOutput(-1));
    }
}
