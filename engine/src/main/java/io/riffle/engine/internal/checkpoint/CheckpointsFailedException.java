package io.riffle.engine.internal.checkpoint;

import java.util.Set;
import java.util.StringJoiner;

import io.riffle.engine.CheckpointFailureReason;

/**
 * More checkpoints failed in a row than the job tolerates ({@code Environment.setTolerableCheckpointFailures}):
 * the job fails with this, and is not restarted, since a restart would not make them succeed.
 */
public final class CheckpointsFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * {@code failures} checkpoints failed in a row for {@code reasons}, the last, {@code lastId}, as {@code
     * lastMessage} says.
     */
    public CheckpointsFailedException(int failures, Set<CheckpointFailureReason> reasons, long lastId,
                                      String lastMessage) {
        super(failures + " consecutive checkpoints failed (" + words(reasons) + "), the last (checkpoint " + lastId
                + "): " + lastMessage);
    }

    private static String words(Set<CheckpointFailureReason> reasons) {
        StringJoiner joined = new StringJoiner(", ");
        for (CheckpointFailureReason r : reasons) {
            joined.add(r.words());
        }
        return joined.toString();
    }
}
