package io.riffle.columnar.kernel;

/**
 * An arithmetic operation of {@link ArithmeticKernel}, with Java's semantics for its result type
 * (int64: wrapping, division toward zero; float64: IEEE 754).
 *
 * <pre>{@code
 * ArithmeticKernel.apply(batch, price, ArithmeticOp.MULTIPLY, qty, total);   // total = price * qty
 * }</pre>
 */
public enum ArithmeticOp {
    ADD, SUBTRACT, MULTIPLY, DIVIDE, REMAINDER
}
