package io.riffle.engine.internal.operator;

import java.util.List;

/**
 * What an operator that fires by watermark (a window join, process windows) learns from a rescaled restore:
 * its old subtasks may have reached different watermarks, so it restarts from the lowest and, until its
 * watermark passes the highest, knows per key group of its own what that key group's old subtask had fired
 * through, so that no window fires twice for a key. Owned by the operator's thread.
 */
final class RestoredWatermarks {
    /** Per key group from {@link #firstKeyGroup}: its old subtask's watermark; null when all were equal or passed. */
    private long[] byKeyGroup;
    private long highest;
    private int firstKeyGroup;

    /**
     * Takes the old subtasks' {@code headers} (those whose key groups meet {@code [first, lastExclusive)}) and
     * returns the watermark to restart from, the lowest of theirs ({@code Long.MIN_VALUE} when there are none).
     */
    long restore(List<JoinState.Header> headers, int first, int lastExclusive) {
        if (headers.isEmpty()) {
            return Long.MIN_VALUE;
        }
        firstKeyGroup = first;
        long[] marks = new long[lastExclusive - first];
        long lowest = Long.MAX_VALUE;
        long highestSeen = Long.MIN_VALUE;
        for (JoinState.Header h : headers) {
            for (int g = Math.max(first, h.firstKeyGroup()); g < Math.min(lastExclusive, h.lastKeyGroupExclusive()); g++) {
                marks[g - first] = h.watermark();
            }
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
        return byKeyGroup == null ? watermark : Math.max(watermark, byKeyGroup[keyGroup - firstKeyGroup]);
    }

    /** The operator's watermark moved to {@code watermark}: once past every old one, the marks are let go of. */
    void advance(long watermark) {
        if (byKeyGroup != null && watermark >= highest) {
            byKeyGroup = null;
        }
    }
}
