package io.riffle.engine.internal.runtime;

import java.util.Objects;

import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.scheduler.IdleMode;

/**
 * How a job's runtime is set up: workers, idling, pinning, channel and batch sizes, key groups. Every value
 * is checked here, when the job is set up, so that nothing is built from a value out of range; the
 * {@code check} methods give the same answer to a setter that wants to fail at once.
 */
public record RuntimeConfig(int workers, IdleMode idleMode, boolean pinned, int channelCapacity, int batchSize,
                            int maxParallelism) {
    /** The most worker threads a job may have: far more than cores only adds switching. */
    public static final int MAX_WORKERS = 1024;
    /** The most rows per batch: a batch is meant to fit a core's cache, and every channel may hold several. */
    public static final int MAX_BATCH_SIZE = 1 << 20;
    /** The most slots per channel ring: every slot of every channel is allocated when the job starts. */
    public static final int MAX_CHANNEL_CAPACITY = 1 << 16;

    public RuntimeConfig {
        checkWorkers(workers);
        Objects.requireNonNull(idleMode, "idleMode");
        checkChannelCapacity(channelCapacity);
        checkBatchSize(batchSize);
        KeyGroups.check(maxParallelism, 1);
    }

    /** Returns {@code workers} if it is between 1 and {@link #MAX_WORKERS}, otherwise throws saying so. */
    public static int checkWorkers(int workers) {
        return inRange("workers", workers, MAX_WORKERS);
    }

    /** Returns {@code rows} if it is between 1 and {@link #MAX_BATCH_SIZE}, otherwise throws saying so. */
    public static int checkBatchSize(int rows) {
        return inRange("batch size", rows, MAX_BATCH_SIZE);
    }

    /** Returns {@code slots} if it is a power of two from 2 to {@link #MAX_CHANNEL_CAPACITY}, otherwise throws. */
    public static int checkChannelCapacity(int slots) {
        if (slots < 2 || slots > MAX_CHANNEL_CAPACITY || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("channel capacity must be a power of two between 2 and "
                    + MAX_CHANNEL_CAPACITY + ", not " + slots);
        }
        return slots;
    }

    private static int inRange(String what, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(what + " must be between 1 and " + max + ", not " + value);
        }
        return value;
    }
}
