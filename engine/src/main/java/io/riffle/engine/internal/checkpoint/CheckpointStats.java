package io.riffle.engine.internal.checkpoint;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.engine.CheckpointFailureReason;
import io.riffle.engine.CheckpointFailures;
import org.jspecify.annotations.Nullable;

/**
 * Counts of a job's checkpoints over all its attempts, the figures of the last complete one, and the failures:
 * by reason, the last one, and those since the last complete checkpoint. Thread-safe.
 */
public final class CheckpointStats {
    private static final CheckpointFailureReason[] REASONS = CheckpointFailureReason.values();

    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Failures by reason (by ordinal), the last, and those since the last complete checkpoint: guarded by this. */
    private final long[] failedByReason = new long[REASONS.length];
    private CheckpointFailures.@Nullable Last lastFailure;
    private int consecutiveFailures;
    private final EnumSet<CheckpointFailureReason> reasonsInARow = EnumSet.noneOf(CheckpointFailureReason.class);
    private final AtomicLong lastId = new AtomicLong();
    private final AtomicLong lastMillis = new AtomicLong();
    private final AtomicLong lastBytes = new AtomicLong();
    private final AtomicLong maxPauseNanos = new AtomicLong();
    private final AtomicLong lastPauseNanos = new AtomicLong();
    /** The checkpoint whose pauses {@link #pauseNanosOfCurrent} holds the longest of (guarded by this). */
    private long currentId;
    private long pauseNanosOfCurrent;

    void completed(long id, long millis, long bytes) {
        lastId.set(id);
        lastMillis.set(millis);
        lastBytes.set(bytes);
        synchronized (this) {
            lastPauseNanos.set(currentId == id ? pauseNanosOfCurrent : 0);
            consecutiveFailures = 0;
            reasonsInARow.clear();
        }
        completed.incrementAndGet();
    }

    /**
     * Checkpoint {@code id} failed for {@code reason}, {@code message} saying what happened in one line; returns
     * how many failed in a row since the last complete one.
     */
    synchronized int recordFailure(long id, CheckpointFailureReason reason, String message) {
        failed.incrementAndGet();
        failedByReason[reason.ordinal()]++;
        lastFailure = new CheckpointFailures.Last(id, reason, message);
        reasonsInARow.add(reason);
        return ++consecutiveFailures;
    }

    /** The reasons of the checkpoints that failed since the last complete one, in their declaration order. */
    synchronized Set<CheckpointFailureReason> reasonsInARow() {
        return EnumSet.copyOf(reasonsInARow);
    }

    /** The failed checkpoints so far: how many, by reason, and the last. */
    public synchronized CheckpointFailures failures() {
        if (lastFailure == null) {
            return CheckpointFailures.NONE;
        }
        Map<CheckpointFailureReason, Long> byReason = new EnumMap<>(CheckpointFailureReason.class);
        for (CheckpointFailureReason r : REASONS) {
            if (failedByReason[r.ordinal()] > 0) {
                byReason.put(r, failedByReason[r.ordinal()]);
            }
        }
        return new CheckpointFailures(failed.get(), byReason, lastFailure);
    }

    /** A subtask's synchronous snapshot of checkpoint {@code id} took {@code nanos}: the time its operators stood still. */
    public void pause(long id, long nanos) {
        maxPauseNanos.accumulateAndGet(nanos, Math::max);
        synchronized (this) {
            if (id > currentId) {
                currentId = id;
                pauseNanosOfCurrent = nanos;
            } else if (id == currentId) {
                pauseNanosOfCurrent = Math.max(pauseNanosOfCurrent, nanos);
            }
        }
    }

    /** The longest synchronous pause of any subtask in the last complete checkpoint. */
    public long lastPauseNanos() {
        return lastPauseNanos.get();
    }

    public long completed() {
        return completed.get();
    }

    /** Checkpoints that failed (aborted, declined, timed out, could not start), over all attempts. */
    public long failed() {
        return failed.get();
    }

    /** Checkpoints that failed since the last complete one. */
    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /**
     * Which checkpoint failed last and what happened ("checkpoint 5: ..."), whether or not one completed since;
     * null when none failed.
     */
    public synchronized @Nullable String lastFailure() {
        return lastFailure == null ? null : lastFailure.toString();
    }

    public long lastId() {
        return lastId.get();
    }

    public long lastMillis() {
        return lastMillis.get();
    }

    public long lastBytes() {
        return lastBytes.get();
    }

    public long maxPauseNanos() {
        return maxPauseNanos.get();
    }
}
