package io.riffle.scheduler.channel;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import io.riffle.columnar.batch.RecordBatch;
import org.jctools.queues.SpscArrayQueue;

/**
 * A single-producer, single-consumer channel between two tasklets: a Disruptor ring of pre-allocated
 * {@link Slot}s carrying batches and control events in one order. A full ring is back-pressure: the
 * {@code offer} methods return false and the producer keeps what it wanted to send and yields. The
 * consumer polls slots in place; batches it does not take go back to the producer through a hand-back
 * queue ({@link #reclaim()}), so a steady stream allocates nothing.
 *
 * <p>Threading: the {@code offer} methods and {@link #reclaim()} are called by the producer thread only,
 * {@link #poll} by the consumer thread only; {@link #close()} once both have stopped.
 *
 * <pre>{@code
 * Channel ch = new Channel("source->sum", 1024);
 * if (!ch.offerBatch(batch)) { pending = batch; return 0; }     // producer: full, retry later
 * ch.poll((c, slot) -> { process(slot); return true; }, 64);   // consumer
 * }</pre>
 */
public final class Channel implements AutoCloseable {
    private final String name;
    private final RingBuffer<Slot> ring;
    private final EventPoller<Slot> poller;
    private final SpscArrayQueue<RecordBatch> handBack;
    private final Adapter adapter = new Adapter();

    /** A channel whose ring holds {@code capacity} slots (a power of two). */
    public Channel(String name, int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("channel '" + name + "': capacity must be a power of two, not "
                    + capacity);
        }
        this.name = name;
        // The wait strategy is never waited on (the consumer polls); busy-spin's publish-side signal is a no-op.
        this.ring = RingBuffer.createSingleProducer(Slot::new, capacity, new BusySpinWaitStrategy());
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.handBack = new SpscArrayQueue<>(Math.max(capacity * 2, 8));
    }

    public String name() {
        return name;
    }

    public int capacity() {
        return ring.getBufferSize();
    }

    /** Hands {@code batch} to the consumer, or returns false (ring full) and the caller keeps it. */
    public boolean offerBatch(RecordBatch batch) {
        return offer(SlotKind.BATCH, batch, 0L);
    }

    public boolean offerWatermark(long timestamp) {
        return offer(SlotKind.WATERMARK, null, timestamp);
    }

    public boolean offerBarrier(long checkpointId) {
        return offer(SlotKind.BARRIER, null, checkpointId);
    }

    public boolean offerEndOfInput() {
        return offer(SlotKind.END_OF_INPUT, null, 0L);
    }

    private boolean offer(SlotKind kind, RecordBatch batch, long value) {
        // Single producer: capacity can only grow between this check and next(), so next() never waits.
        if (!ring.hasAvailableCapacity(1)) {
            return false;
        }
        long sequence = ring.next();
        Slot slot = ring.get(sequence);
        slot.kind = kind;
        slot.batch = batch;
        slot.value = value;
        ring.publish(sequence);
        return true;
    }

    /** A batch the consumer is done with, for the producer to refill; null when there is none. */
    public RecordBatch reclaim() {
        return handBack.poll();
    }

    /** Slots published and not yet consumed. */
    public long backlog() {
        return ring.getBufferSize() - ring.remainingCapacity();
    }

    /**
     * Delivers up to {@code limit} slots in order to {@code handler} as channel {@code index}; returns how
     * many were delivered. Slots are released (free for the producer) when the poll returns.
     */
    public int poll(SlotHandler handler, int index, int limit) {
        adapter.handler = handler;
        adapter.index = index;
        adapter.limit = limit;
        adapter.delivered = 0;
        try {
            poller.poll(adapter);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("channel '" + name + "': handler failed", e);
        } finally {
            adapter.handler = null;
        }
        return adapter.delivered;
    }

    /** Frees batches still in the ring or handed back. Call only after producer and consumer stopped. */
    @Override
    public void close() {
        long consumed = poller.getSequence().get();
        long published = ring.getCursor();
        for (long s = consumed + 1; s <= published; s++) {
            Slot slot = ring.get(s);
            if (slot.batch != null) {
                slot.batch.close();
                slot.batch = null;
            }
        }
        RecordBatch b;
        while ((b = handBack.poll()) != null) {
            b.close();
        }
    }

    @Override
    public String toString() {
        return "Channel(" + name + ", " + backlog() + "/" + capacity() + ")";
    }

    /** Bridges Disruptor's poller to {@link SlotHandler}; one per channel so polling allocates nothing. */
    private final class Adapter implements EventPoller.Handler<Slot> {
        SlotHandler handler;
        int index;
        int limit;
        int delivered;

        @Override
        public boolean onEvent(Slot slot, long sequence, boolean endOfBatch) {
            boolean more = handler.onSlot(index, slot);
            delivered++;
            if (slot.batch != null) {
                RecordBatch untaken = slot.batch;
                slot.batch = null;
                if (!handBack.offer(untaken)) {
                    untaken.close();
                }
            }
            return more && delivered < limit;
        }
    }
}
