package io.riffle.engine.internal.checkpoint;

import java.util.concurrent.atomic.AtomicLong;

/** Counts of a job's checkpoints over all its attempts, and the figures of the last complete one. Thread-safe. */
public final class CheckpointStats {
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
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
        }
        completed.incrementAndGet();
    }

    void recordFailure() {
        failed.incrementAndGet();
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

    public long failed() {
        return failed.get();
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
