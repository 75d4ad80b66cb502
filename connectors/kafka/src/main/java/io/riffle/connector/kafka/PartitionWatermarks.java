package io.riffle.connector.kafka;

import java.util.function.LongSupplier;

import io.riffle.engine.connector.SourceReader;

/**
 * The event-time watermarks of a reader's partitions, as Flink's Kafka source keeps them per split: a partition's
 * watermark is the highest event time it returned minus the out-of-orderness minus 1 ms; the reader's is the lowest
 * over its partitions that are neither idle (no record for the idle timeout, by processing time) nor at their end.
 * A partition that has returned nothing yet holds the reader's watermark back until it turns idle.
 */
final class PartitionWatermarks {
    private final long outOfOrderMillis;
    private final long idleNanos;
    private final LongSupplier nanoClock;
    private final long[] highest;
    private final long[] lastRecordNanos;
    private final boolean[] ended;

    PartitionWatermarks(int partitions, long outOfOrderMillis, long idleNanos, LongSupplier nanoClock) {
        this.outOfOrderMillis = outOfOrderMillis;
        this.idleNanos = idleNanos;
        this.nanoClock = nanoClock;
        this.highest = new long[partitions];
        this.lastRecordNanos = new long[partitions];
        this.ended = new boolean[partitions];
        long now = nanoClock.getAsLong();
        for (int i = 0; i < partitions; i++) {
            highest[i] = Long.MIN_VALUE;
            lastRecordNanos[i] = now;
        }
    }

    /** Partition {@code partition} returned records, the latest of them at {@code highestMillis}. */
    void onRecords(int partition, long highestMillis) {
        if (highestMillis > highest[partition]) {
            highest[partition] = highestMillis;
        }
        lastRecordNanos[partition] = nanoClock.getAsLong();
    }

    /** Partition {@code partition} returned records, none with an event time. */
    void onRecords(int partition) {
        lastRecordNanos[partition] = nanoClock.getAsLong();
    }

    /** Partition {@code partition} reached the end of a bounded read: it holds nothing back any more. */
    void ended(int partition) {
        ended[partition] = true;
    }

    /** The reader's watermark now: see the class comment; {@link SourceReader#IDLE} when no partition is active. */
    long watermark() {
        long now = nanoClock.getAsLong();
        long lowest = Long.MAX_VALUE;
        boolean active = false;
        for (int i = 0; i < highest.length; i++) {
            if (ended[i] || (idleNanos > 0 && now - lastRecordNanos[i] >= idleNanos)) {
                continue;
            }
            active = true;
            long w = highest[i] == Long.MIN_VALUE ? SourceReader.NO_WATERMARK : highest[i] - outOfOrderMillis - 1;
            lowest = Math.min(lowest, w);
        }
        return active ? lowest : SourceReader.IDLE;
    }
}
