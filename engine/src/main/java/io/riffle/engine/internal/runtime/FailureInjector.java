package io.riffle.engine.internal.runtime;

/**
 * Makes operators fail on purpose, to show and test recovery: asked before each batch an operator
 * processes, it throws when the batch crosses the record count it waits for. It lives across a job's
 * restarts, so each planned failure happens once. Called from worker threads.
 */
public interface FailureInjector {
    void beforeBatch(String operator, int subtask, int rows) throws Exception;
}
