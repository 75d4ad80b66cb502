package io.riffle.engine.internal.runtime;

import java.util.ArrayDeque;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.scheduler.channel.Channel;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The producer side of one channel: batches, watermarks and barriers to send, kept in order while the ring is full
 * (back-pressure: the tasklet stops taking input until they are sent), then end of input. Batches come back through the
 * channel's hand-back queue and are refilled, so a steady stream allocates no Arrow memory.
 */
final class ChannelWriter implements AutoCloseable {
    final Channel channel;
    private final BatchSchema schema;
    private final BufferAllocator allocator;
    private final int batchSize;
    /** Batches, barriers (their ids, as Long) and watermarks the ring had no room for, in order. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    /** The highest watermark sent, and whether the channel was last said to be idle. */
    private long watermark = Watermark.NONE;
    private boolean idle;

    /** A watermark waiting for room in the ring. */
    private record PendingWatermark(long value) {
    }
    private boolean endRequested;
    private boolean endSent;

    ChannelWriter(Channel channel, BatchSchema schema, BufferAllocator allocator, int batchSize) {
        this.channel = channel;
        this.schema = schema;
        this.allocator = allocator;
        this.batchSize = batchSize;
    }

    /** An empty batch to fill and {@link #send}: one the consumer handed back, or a new one. */
    RecordBatch acquire() {
        RecordBatch batch = channel.reclaim();
        return batch != null ? batch : RecordBatch.allocate(schema, allocator, batchSize);
    }

    /** Sends {@code batch} now or, when the ring is full, as soon as there is room; the channel owns it. */
    void send(RecordBatch batch) {
        idle = false;
        if (!pending.isEmpty() || !channel.offerBatch(batch)) {
            pending.add(batch);
        }
    }

    /**
     * Sends {@code value} after everything sent so far: a watermark higher than the last (or any, to say
     * an idle channel is active again), or {@link Watermark#IDLE} once.
     */
    void sendWatermark(long value) {
        if (value == Watermark.IDLE) {
            if (idle) {
                return;
            }
            idle = true;
        } else {
            if (value <= watermark && !idle) {
                return;
            }
            idle = false;
            watermark = Math.max(watermark, value);
        }
        if (!pending.isEmpty() || !channel.offerWatermark(value)) {
            pending.add(new PendingWatermark(value));
        }
    }

    /** Sends checkpoint barrier {@code id} after everything sent so far. */
    void sendBarrier(long id) {
        if (!pending.isEmpty() || !channel.offerBarrier(id)) {
            pending.add(id);
        }
    }

    /** Asks for end of input to follow everything sent so far. */
    void end() {
        endRequested = true;
    }

    /** Sends what is pending; true when nothing is left (and the end is sent, if asked for). */
    boolean drain() {
        while (!pending.isEmpty()) {
            Object next = pending.peekFirst();
            boolean sent = next instanceof RecordBatch b ? channel.offerBatch(b)
                    : next instanceof PendingWatermark w ? channel.offerWatermark(w.value)
                    : channel.offerBarrier((Long) next);
            if (!sent) {
                return false;
            }
            pending.pollFirst();
        }
        if (endRequested && !endSent) {
            if (!channel.offerEndOfInput()) {
                return false;
            }
            endSent = true;
        }
        return true;
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    boolean isEnded() {
        return endSent;
    }

    void flush() {
        channel.flush();
    }

    /** Frees batches never sent (a cancelled or failed job). */
    @Override
    public void close() {
        Object next;
        while ((next = pending.pollFirst()) != null) {
            if (next instanceof RecordBatch b) {
                b.close();
            }
        }
    }
}
