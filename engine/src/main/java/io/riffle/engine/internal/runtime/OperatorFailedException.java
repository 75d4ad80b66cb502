package io.riffle.engine.internal.runtime;

/** An exception thrown inside an operator, tagged with the operator and subtask so the job can name them. */
public final class OperatorFailedException extends RuntimeException {
    private final String operator;
    private final int subtask;
    private final int parallelism;

    public OperatorFailedException(String operator, int subtask, int parallelism, Throwable cause) {
        super("operator '" + operator + "' (subtask " + (subtask + 1) + " of " + parallelism + ") failed: "
                + messageOf(cause), cause);
        this.operator = operator;
        this.subtask = subtask;
        this.parallelism = parallelism;
    }

    /**
     * What went wrong, for a message a user reads: the exception's own message, which names what is wrong;
     * its class name only when it has no message (a {@code NullPointerException} in a user function).
     */
    public static String messageOf(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
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
