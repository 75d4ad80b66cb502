package io.riffle.columnar.kernel;

/**
 * A comparison of {@link CompareKernel}: {@code value OP operand}, with Java's meaning for each type.
 *
 * <pre>{@code
 * CompareKernel.compare(batch, price, CompareOp.GE, 100.0, null, selection);   // price >= 100
 * }</pre>
 */
public enum CompareOp {
    EQ(false, true, false, false),
    NE(false, true, false, true),
    LT(true, false, false, false),
    LE(true, true, false, false),
    GT(false, false, true, false),
    GE(false, true, true, false);

    // An op as the orderings it accepts, so that kernels read four loop-invariant flags instead of
    // switching on the op per row. NE is "not equal" rather than "less or greater": that is what makes
    // an unordered (NaN) comparison true for NE only, as in Java.
    final boolean less;
    final boolean equal;
    final boolean greater;
    final boolean negate;

    CompareOp(boolean less, boolean equal, boolean greater, boolean negate) {
        this.less = less;
        this.equal = equal;
        this.greater = greater;
        this.negate = negate;
    }

    /** The op with its operands swapped: {@code a < b} is {@code b > a}. */
    CompareOp mirrored() {
        switch (this) {
            case LT: return GT;
            case LE: return GE;
            case GT: return LT;
            case GE: return LE;
            default: return this;
        }
    }
}
