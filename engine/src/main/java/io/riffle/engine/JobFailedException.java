package io.riffle.engine;

/**
 * A job ended with an error: the message names the job, and the operator and subtask that failed when
 * the error came from one; {@link #getCause()} is the original exception.
 */
public final class JobFailedException extends RuntimeException {
    private final String operator;

    public JobFailedException(String message, String operator, Throwable cause) {
        super(message, cause);
        this.operator = operator;
    }

    /** The name of the operator that failed, or null when the failure was not inside an operator. */
    public String operator() {
        return operator;
    }
}
