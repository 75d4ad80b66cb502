package io.riffle.engine.expr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

/** Row-list assertions that name the first differing row and its input, not two lists of thousands of rows. */
final class Rows {
    private Rows() {
    }

    /** {@code expected.get(i)} was computed from {@code inputs.get(i)}; {@code context} says how to replay. */
    static void assertSameRows(String context, List<Object[]> inputs, List<List<Object>> expected,
                               List<List<Object>> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            int row = i;
            assertEquals(expected.get(i), actual.get(i),
                    () -> context + ": row " + row + ", input " + Arrays.toString(inputs.get(row)));
        }
        assertEquals(expected.size(), actual.size(), () -> context + ": row count");
    }
}
