package io.riffle.columnar.kernel;

/** A comparison of {@link CompareKernel}: {@code value OP operand}. */
public enum CompareOp {
    EQ(false, true, false),
    NE(true, false, true),
    LT(true, false, false),
    LE(true, true, false),
    GT(false, false, true),
    GE(false, true, true);

    final boolean less;
    final boolean equal;
    final boolean greater;

    CompareOp(boolean less, boolean equal, boolean greater) {
        this.less = less;
        this.equal = equal;
        this.greater = greater;
    }
}
