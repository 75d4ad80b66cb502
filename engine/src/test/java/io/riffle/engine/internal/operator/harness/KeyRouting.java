package io.riffle.engine.internal.operator.harness;

/** Which rows of an input a harness passes on: all of them, or those whose key in {@code field} its subtask owns. */
record KeyRouting(boolean keyed, int field) {
    /** Every row: an input that is not keyed. */
    static final KeyRouting ALL_ROWS = new KeyRouting(false, 0);

    static KeyRouting by(int field) {
        return new KeyRouting(true, field);
    }
}
