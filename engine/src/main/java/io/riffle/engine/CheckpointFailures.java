package io.riffle.engine;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The checkpoints of a job that failed, over all its attempts: how many, how many for each reason, and the
 * last one ({@code null} while none failed).
 *
 * <pre>{@code
 * CheckpointFailures failures = env.execute().checkpointFailures();
 * if (failures.last() != null) log.warn("{} checkpoints failed, the last for {}", failures.count(),
 *         failures.last().reason().words());
 * }</pre>
 */
public record CheckpointFailures(long count, Map<CheckpointFailureReason, Long> byReason, @Nullable Last last) {
    /** A job none of whose checkpoints failed. */
    public static final CheckpointFailures NONE = new CheckpointFailures(0, Map.of(), null);

    /** The last checkpoint that failed: its id, why, and what happened in one line (naming the subtask or file). */
    public record Last(long checkpointId, CheckpointFailureReason reason, String message) {
        /** {@code "checkpoint 5: <message>"}. */
        @Override
        public String toString() {
            return "checkpoint " + checkpointId + ": " + message;
        }
    }

    public CheckpointFailures {
        byReason = Collections.unmodifiableMap(byReason.isEmpty() ? Map.of() : new EnumMap<>(byReason));
    }

    /** How many checkpoints failed for {@code reason}. */
    public long count(CheckpointFailureReason reason) {
        return byReason.getOrDefault(reason, 0L);
    }
}
