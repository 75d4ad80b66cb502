package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.operator.harness.OneInputOperatorHarness;
import io.riffle.engine.internal.operator.harness.Rescaling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Count windows driven alone, aggregated and reduced: windows cut per key in arrival order, several in one
 * batch, and a rescaled restore.
 */
class CountWindowOperatorTest {
    /** (key, value). Output: (key, sum(value), min(value)). */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));

    private static final ReduceFunction SUM = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1));

    @TempDir
    Path dir;

    private static OneInputOperatorHarness.Builder countWindows(long size) {
        return OneInputOperatorHarness.builder(() -> new CountWindowOperator(EVENTS, 0, size,
                new Aggregate[] {Aggregate.sum(1), Aggregate.min(1)}, 1L << 26), EVENTS).name("count windows").batchSize(16);
    }

    /** A reduce over count windows: (key, sum(value)). */
    private static OneInputOperatorHarness.Builder countReduce(long size) {
        return OneInputOperatorHarness.builder(() -> new CountWindowFunctionOperator(WindowFold.reducing(SUM, EVENTS, 0),
                EVENTS, 0, size, 1L << 26), EVENTS).name("count reduce").batchSize(16);
    }

    @Test
    void aReducedCountWindowFiresWithItsLastRecord() throws Exception {
        try (OneInputOperatorHarness h = countReduce(2).open()) {
            h.process(row(1L, 1L), row(2L, 10L), row(1L, 2L), row(1L, 3L), row(1L, 4L), row(2L, 20L), row(2L, 30L));
            h.endInput();
            assertEquals(List.of("(1,3)", "(1,7)", "(2,30)", "watermark MAX"), h.output().events());
        }
    }

    /** Key 1 fills two windows in one batch (taken in rounds); key 2's last window stays open and never fires. */
    @Test
    void aWindowFiresWithItsLastRecordAndOpenWindowsDoNotFireAtTheEnd() throws Exception {
        try (OneInputOperatorHarness h = countWindows(2).open()) {
            h.process(row(1L, 1L), row(2L, 10L), row(1L, 2L), row(1L, 3L), row(1L, 4L), row(2L, 20L), row(2L, 30L));
            assertEquals(List.of("(1,3,1)", "(2,30,10)", "(1,7,3)"), h.output().rowStrings());
            h.process(row(1L, 5L));
            h.endInput();
            assertEquals(List.of("(1,3,1)", "(2,30,10)", "(1,7,3)", "watermark MAX"), h.output().events());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aCheckpointRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        Rescaling.Feed<OneInputOperatorHarness> before = h -> h.process(events(0, 50));
        Rescaling.Feed<OneInputOperatorHarness> after = h -> h.process(events(50, 100));
        for (OneInputOperatorHarness.Builder operator : List.of(countWindows(3).keyedBy(0), countReduce(3).keyedBy(0))) {
            List<String> uninterrupted = Rescaling.uninterrupted(operator, before, after);
            assertEquals(2 * 5 + 5 * 4, uninterrupted.size(), "keys 0 and 1 have 15 records, 5 windows; keys 2..6 14, 4");
            assertEquals(uninterrupted, Rescaling.rescaled(operator, dir, 2, parallelism, before, after));
        }
    }

    /** Record i of [from, to): (i mod 7, i). */
    private static Object[][] events(int from, int to) {
        List<Object[]> rows = new ArrayList<>();
        for (long i = from; i < to; i++) {
            rows.add(row(i % 7, i));
        }
        return rows.toArray(new Object[0][]);
    }
}
