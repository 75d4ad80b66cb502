package io.riffle.engine.internal.operator;

/**
 * Where a time-window operator sends its late records besides counting them: nowhere ({@link #COUNT_ONLY}),
 * or one of its side outputs.
 */
public final class LateOutput {
    /** Late records are counted as dropped and go nowhere. */
    public static final LateOutput COUNT_ONLY = new LateOutput(false, 0);

    private final boolean sent;
    private final int sideOutput;

    private LateOutput(boolean sent, int sideOutput) {
        this.sent = sent;
        this.sideOutput = sideOutput;
    }

    /** Late records are counted and sent to side output {@code index} of the operator. */
    public static LateOutput toSideOutput(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("a side output index is at least 0, not " + index);
        }
        return new LateOutput(true, index);
    }

    /** Whether late records go to a side output. */
    boolean sent() {
        return sent;
    }

    /** The side output late records go to; only when {@link #sent()}. */
    int sideOutput() {
        return sideOutput;
    }

    @Override
    public String toString() {
        return sent ? "side output " + sideOutput : "counted only";
    }
}
