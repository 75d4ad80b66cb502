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

    void completed(long id, long millis, long bytes) {
        lastId.set(id);
        lastMillis.set(millis);
        lastBytes.set(bytes);
        completed.incrementAndGet();
    }

    void recordFailure() {
        failed.incrementAndGet();
    }

    /** A subtask's synchronous snapshot took {@code nanos}: the time its operators stood still. */
    public void pause(long nanos) {
        maxPauseNanos.accumulateAndGet(nanos, Math::max);
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
