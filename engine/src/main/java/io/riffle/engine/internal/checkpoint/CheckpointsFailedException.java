package io.riffle.engine.internal.checkpoint;

/**
 * More checkpoints failed in a row than the job tolerates ({@code Environment.setTolerableCheckpointFailures}):
 * the job fails with this, and is not restarted, since a restart would not make them succeed.
 */
public final class CheckpointsFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointsFailedException(int failures, long lastId, String lastReason) {
        super(failures + " consecutive checkpoints failed, the last (checkpoint " + lastId + "): " + lastReason);
    }
}
