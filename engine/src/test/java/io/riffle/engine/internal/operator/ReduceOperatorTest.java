package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
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

/** A keyed reduce driven alone: running and final records, a null result, and a rescaled restore. */
class ReduceOperatorTest {
    /** (word, count). */
    private static final BatchSchema WORDS = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.of("count", ColumnType.INT64));
    private static final ReduceFunction SUM = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1));

    @TempDir
    Path dir;

    private static OneInputOperatorHarness.Builder reduce(ReduceFunction function, boolean running) {
        return OneInputOperatorHarness.builder(() -> new ReduceOperator(function, WORDS, 0, running, 1L << 26), WORDS)
                .name("reduce").batchSize(4);
    }

    @Test
    void aRunningReduceEmitsTheKeysRecordAfterEveryRecord() throws Exception {
        try (OneInputOperatorHarness h = reduce(SUM, true).open()) {
            h.process(row("a", 1L), row("b", 2L), row("a", 3L), row("a", 4L), row("b", 5L));
            h.endInput();
            assertEquals(List.of("(a,1)", "(b,2)", "(a,4)", "(a,8)", "(b,7)", "watermark MAX"), h.output().events());
        }
    }

    @Test
    void aBatchReduceEmitsEachKeysRecordOnceAtTheEnd() throws Exception {
        try (OneInputOperatorHarness h = reduce(SUM, false).open()) {
            h.process(row("a", 1L), row("b", 2L), row("a", 3L));
            assertEquals(List.of(), h.output().rows());
            h.endInput();
            assertEquals(List.of("(a,4)", "(b,2)"), h.output().rowStrings());
        }
    }

    @Test
    void aNullResultFailsNamingTheKey() throws Exception {
        try (OneInputOperatorHarness h = reduce((a, b) -> null, true).open()) {
            h.process(row("a", 1L));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> h.process(row("a", 2L)));
            assertEquals("the reduce function returned null for key a", e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aCheckpointRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        Rescaling.Feed<OneInputOperatorHarness> before = h -> h.process(words(0, 50));
        Rescaling.Feed<OneInputOperatorHarness> after = h -> h.process(words(50, 100));
        List<String> uninterrupted = Rescaling.uninterrupted(reduce(SUM, true).keyedBy(0), before, after);
        assertEquals(100, uninterrupted.size());
        assertTrue(uninterrupted.containsAll(List.of("(w0,8)", "(w12,7)")) && !uninterrupted.contains("(w0,9)"),
                "w0 has 8 records (0, 13, ..., 91), w12 7 (12, ..., 90): " + uninterrupted);
        assertEquals(uninterrupted, Rescaling.rescaled(reduce(SUM, true).keyedBy(0), dir, 2, parallelism, before, after));
    }

    /** Record i of [from, to): (w(i mod 13), 1). */
    private static Object[][] words(int from, int to) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = from; i < to; i++) {
            rows.add(row("w" + i % 13, 1L));
        }
        return rows.toArray(new Object[0][]);
    }
}
