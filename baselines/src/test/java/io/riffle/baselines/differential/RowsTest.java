package io.riffle.baselines.differential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class RowsTest {
    @Test
    void rowsPrintIntegersOfAnyWidthAlikeTimestampsAsMillisAndStringsQuoted() {
        assertEquals("(1, 2, 5, 0.0, 0.25, \"a\", \"\", null)",
                Rows.of(1, 2L, Instant.ofEpochMilli(5), -0.0, 0.25, "a", "", null));
        assertEquals("late:(1)", Rows.tagged("late", Rows.of(1)));
    }

    @Test
    void theSameMultisetInAnotherOrderHasNoDiff() {
        assertEquals("", Rows.diff(List.of("(1)", "(2)", "(1)"), List.of("(1)", "(1)", "(2)"), 5));
    }

    @Test
    void aDiffCountsEachDifferingRowOnBothSides() {
        String nl = System.lineSeparator();
        assertEquals("3 rows from Flink, 3 from Riffle; 4 distinct rows differ (first 2, in row order):" + nl
                        + "  flink 2  riffle 1  (1)" + nl
                        + "  flink 1  riffle 0  (2)" + nl,
                Rows.diff(List.of("(1)", "(1)", "(2)"), List.of("(1)", "(3)", "(4)"), 2));
    }
}
