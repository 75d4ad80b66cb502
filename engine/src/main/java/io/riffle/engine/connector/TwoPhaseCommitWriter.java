package io.riffle.engine.connector;

/** The writer of a {@link TwoPhaseCommitSink} subtask. */
public interface TwoPhaseCommitWriter extends SinkWriter {
    /**
     * Checkpoint {@code checkpointId}'s barrier reached this writer: stage everything written since the
     * previous call (durably, for a file sink) and return the committable that names it, or null when
     * nothing was written. Runs on the subtask's thread while the subtask is paused, so keep it short.
     */
    byte[] prepareCommit(long checkpointId) throws Exception;
}
