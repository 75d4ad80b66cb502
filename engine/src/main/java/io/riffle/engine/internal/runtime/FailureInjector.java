package io.riffle.engine.internal.runtime;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes operators fail on purpose, to show and test recovery: asked before each batch an operator
 * processes, it throws when the batch crosses the record count it waits for. It lives across a job's
 * restarts, so each planned failure happens once. Called from worker threads.
 */
public interface FailureInjector {
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
