package io.riffle.columnar.kernel;

/** An arithmetic operation of {@link ArithmeticKernel}, with Java's semantics for its result type. */
public enum ArithmeticOp {
    ADD, SUBTRACT, MULTIPLY, DIVIDE, REMAINDER
}
