package io.riffle.engine.internal.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exception thrown inside an operator (or source), tagged with the operator and subtask so the job can
 * name them. Every place the runtime calls into an operator turns what it throws into one with {@link #of}.
 *
 * <p>What a user function throws fails the job (or restarts it, as the restart strategy says) and never the
 * host JVM: exceptions, and errors such as a {@link StackOverflowError} from a function recursing without
 * end, an {@link AssertionError} or a {@link LinkageError}, all become an operator failure. A {@link
 * VirtualMachineError} other than a stack overflow (an {@link OutOfMemoryError}, an {@link InternalError})
 * says the JVM itself is in trouble: it is logged with the operator's name and passes on as it is, so the
 * job fails without a restart and the host gets the error itself ({@code JobHandle.await()} rethrows it).
 */
public final class OperatorFailedException extends RuntimeException {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorFailedException.class);

    private final String operator;

    private OperatorFailedException(String operator, int subtask, int parallelism, Throwable cause) {
        super("operator '" + operator + "' (subtask " + (subtask + 1) + " of " + parallelism + ") failed: "
                + messageOf(cause), cause);
        this.operator = operator;
    }

    /**
     * {@code cause}, thrown by operator {@code operator} in subtask {@code subtask} of {@code parallelism},
     * as the exception to throw: itself when it already names its operator (a failure further down the
     * chain), else a new one naming this operator. A fatal error ({@link #isFatal}) is not turned into an
     * exception: this throws it.
     */
    public static OperatorFailedException of(String operator, int subtask, int parallelism, Throwable cause) {
        if (cause instanceof OperatorFailedException tagged) {
            return tagged;
        }
        if (isFatal(cause)) {
            LOG.error("operator '{}' (subtask {} of {}) hit a fatal error; the job fails without a restart",
                    operator, subtask + 1, parallelism, cause);
            throw (Error) cause;
        }
        return new OperatorFailedException(operator, subtask, parallelism, cause);
    }

    /**
     * Whether {@code t} is an error of the JVM rather than of the function that ran into it: a {@link
     * VirtualMachineError} other than a {@link StackOverflowError}, whose stack is unwound by the time it
     * is caught.
     */
    public static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    /**
     * What went wrong, for a message a user reads: the exception's own message, which names what is wrong;
     * its class name only when it has no message (a {@code NullPointerException} in a user function).
     */
    public static String messageOf(Throwable cause) {
        if (cause instanceof StackOverflowError && cause.getMessage() == null) {
            return "stack overflow (a function that recurses without end?)";
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    public String operator() {
        return operator;
    }
}
