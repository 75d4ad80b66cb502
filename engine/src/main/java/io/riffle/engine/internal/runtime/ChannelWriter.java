package io.riffle.engine.internal.runtime;

import java.util.ArrayDeque;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.scheduler.channel.Channel;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The producer side of one channel: batches and barriers to send, kept in order while the ring is full (back-pressure:
 * the tasklet stops taking input until they are sent), then end of input. Batches come back through the
 * channel's hand-back queue and are refilled, so a steady stream allocates no Arrow memory.
 */
final class ChannelWriter implements AutoCloseable {
    final Channel channel;
    private final BatchSchema schema;
    private final BufferAllocator allocator;
    private final int batchSize;
    /** Batches and barriers (their ids, as Long) the ring had no room for, in order. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
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
        if (!pending.isEmpty() || !channel.offerBatch(batch)) {
            pending.add(batch);
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
            boolean sent = next instanceof RecordBatch b ? channel.offerBatch(b) : channel.offerBarrier((Long) next);
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
