package io.riffle.engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A testing aid, not for production jobs: makes operators fail on purpose, to show and test recovery
 * ({@link Environment#injectFailures}). Asked before each batch an operator processes, it throws to fail
 * the subtask, e.g. when the batch crosses a record count. It lives across a job's restarts, so each planned
 * failure happens once. Called from worker threads. Riffle's own recovery tests and the CLI's {@code --fail-after}
 * demo use it; Flink has no counterpart in its API.
 *
 * <pre>{@code
 * AtomicBoolean failed = new AtomicBoolean();
 * env.injectFailures((operator, subtask, rows) -> {
 *     if (operator.startsWith("keyBy(") && failed.compareAndSet(false, true)) {
 *         throw new IllegalStateException("injected failure in " + operator);
 *     }
 * });
 * }</pre>
 */
public interface FailureInjector {
    /** Before {@code operator}'s subtask {@code subtask} processes a batch of {@code rows} records: throw to fail it. */
    void beforeBatch(String operator, int subtask, int rows) throws Exception;

    /** Before a state file of checkpoint {@code checkpointId} is written: throw to fake a full disk. */
    default void beforeStateWrite(long checkpointId, Path file) throws IOException {
    }

    /**
     * Attempt {@code attempt} (0 for the first, then one more per restart) has started: its sources and
     * operators are built, and {@code JobHandle.triggerCheckpoint()} from now on reaches it. A test that
     * drives checkpoints and failures attempt by attempt waits for this before it triggers a checkpoint
     * of a restarted job. Called before the attempt can end.
     */
    default void attemptStarted(int attempt) {
    }

    /**
     * Attempt {@code attempt - 1} failed and the job restarts as attempt {@code attempt}: until
     * {@link #attemptStarted} reports it, no attempt runs. Called on the thread that restarts the job, before
     * the restart strategy's delay.
     */
    default void restarting(int attempt) {
    }
}
