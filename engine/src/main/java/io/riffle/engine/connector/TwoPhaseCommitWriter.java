package io.riffle.engine.connector;

/** The writer of a {@link TwoPhaseCommitSink} subtask. */
public interface TwoPhaseCommitWriter extends SinkWriter {
    /**
     * Checkpoint {@code checkpointId}'s barrier reached this writer: stage everything written since the
     * previous call (durably, for a file sink) and return the committable that names it — and everything
     * staged before that is not committed yet, since the checkpoint of an earlier call may have been
     * aborted — or null when there is nothing to commit. Runs on the subtask's thread while the subtask is
     * paused, so keep it short.
     *
     * <p>At end of input, after {@link #finish()}, it is called once more, with the id after the last checkpoint the subtask took
     * part in or was restored from: at most the id of any checkpoint that will hold this last output. A
     * sink that can retract remembers the id each piece of output was staged with
     * ({@link TwoPhaseCommitSink#retractCommittedAfter}).
     */
    byte[] prepareCommit(long checkpointId) throws Exception;

    /**
     * The subtask is restored from checkpoint {@code checkpointId}, whose committables the sink has just
     * been given ({@link TwoPhaseCommitSink#commit}); called once, before anything is written. A writer
     * that goes on with output a checkpoint recorded (an in-progress file) takes it up here.
     */
    default void restoredFrom(long checkpointId) throws Exception {
    }
}
