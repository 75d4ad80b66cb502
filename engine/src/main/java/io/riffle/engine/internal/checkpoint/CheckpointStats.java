package io.riffle.engine.internal.checkpoint;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts of a job's checkpoints over all its attempts, the figures of the last complete one, and the failures
 * since then. Thread-safe.
 */
public final class CheckpointStats {
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    /** Failed since the last complete checkpoint, and why the last one failed (guarded by this). */
    private int consecutiveFailures;
    private String lastFailure;
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
        }
        completed.incrementAndGet();
    }

    /**
     * A checkpoint failed: {@code reason} says which and why ("checkpoint 5: ..."); returns how many failed in
     * a row since the last complete one.
     */
    synchronized int recordFailure(String reason) {
        failed.incrementAndGet();
        lastFailure = reason;
        return ++consecutiveFailures;
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
     * Which checkpoint failed last and why ("checkpoint 5: ..."), whether or not one completed since; null when
     * none failed.
     */
    public synchronized String lastFailure() {
        return lastFailure;
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
