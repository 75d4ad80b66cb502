package io.riffle.engine.internal.runtime;

/** An exception thrown inside an operator, tagged with the operator and subtask so the job can name them. */
public final class OperatorFailedException extends RuntimeException {
    private final String operator;
    private final int subtask;
    private final int parallelism;

    public OperatorFailedException(String operator, int subtask, int parallelism, Throwable cause) {
        super("operator '" + operator + "' (subtask " + (subtask + 1) + " of " + parallelism + ") failed: " + cause,
                cause);
        this.operator = operator;
        this.subtask = subtask;
        this.parallelism = parallelism;
    }

    public String operator() {
        return operator;
    }

    public int subtask() {
        return subtask;
    }

    public int parallelism() {
        return parallelism;
    }
}
