package io.riffle.engine.internal.operator;

import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.kernel.KeyGroupRange;
import org.jspecify.annotations.Nullable;

/**
 * What an operator that fires by watermark (a window join, process windows) learns from a rescaled restore:
 * its old subtasks may have reached different watermarks, so it restarts from the lowest and, until its
 * watermark passes the highest, knows per key group of its own what that key group's old subtask had fired
 * through, so that no window fires twice for a key. Owned by the operator's thread.
 */
final class RestoredWatermarks {
    /** Per key group from the first of {@link #keyGroups}: its old subtask's watermark; null when all were equal or passed. */
    private long @Nullable [] byKeyGroup;
    private long highest;
    private KeyGroupRange keyGroups = KeyGroupRange.all(1);

    /**
     * Takes the old subtasks' {@code headers} (those whose key groups meet {@code mine}, the restored subtask's)
     * and returns the watermark to restart from, the lowest of theirs ({@code Long.MIN_VALUE} when there are none).
     */
    long restore(List<JoinState.Header> headers, KeyGroupRange mine) {
        if (headers.isEmpty()) {
            return Long.MIN_VALUE;
        }
        keyGroups = mine;
        long[] marks = new long[mine.size()];
        long lowest = Long.MAX_VALUE;
        long highestSeen = Long.MIN_VALUE;
        for (JoinState.Header h : headers) {
            KeyGroupRange shared = mine.intersection(h.keyGroups());
            Arrays.fill(marks, shared.first() - mine.first(), shared.endExclusive() - mine.first(), h.watermark());
            lowest = Math.min(lowest, h.watermark());
            highestSeen = Math.max(highestSeen, h.watermark());
        }
        if (highestSeen > lowest) {
            byKeyGroup = marks;
            highest = highestSeen;
        }
        return lowest;
    }

    /** Whether some key group's old subtask had fired beyond the operator's watermark. */
    boolean differ() {
        return byKeyGroup != null;
    }

    /** What key group {@code keyGroup} had fired through: its old subtask's watermark, or {@code watermark} if higher. */
    long firedThrough(int keyGroup, long watermark) {
        return byKeyGroup == null ? watermark : Math.max(watermark, byKeyGroup[keyGroup - keyGroups.first()]);
    }

    /** The operator's watermark moved to {@code watermark}: once past every old one, the marks are let go of. */
    void advance(long watermark) {
        if (byKeyGroup != null && watermark >= highest) {
            byKeyGroup = null;
        }
    }
}
