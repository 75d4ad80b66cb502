package io.riffle.scheduler.channel;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import io.riffle.columnar.batch.RecordBatch;
import org.jctools.queues.SpscArrayQueue;

/**
 * A single-producer, single-consumer channel between two tasklets: a Disruptor ring of pre-allocated
 * entries carrying batches and control events in one order. A full ring is back-pressure: the
 * {@code offer} methods return false and the producer keeps what it wanted to send and yields. Offers
 * become visible to the consumer in groups: every {@link #PUBLISH_EVERY} offers, and at the latest when
 * the producer calls {@link #flush()}, which a producer tasklet does at the end of each duty cycle;
 * moving the ring's cursor once per group instead of once per entry saves a cross-core cache-line
 * transfer per batch. The consumer polls slots in place; batches it does not take go back to the
 * producer through a hand-back queue ({@link #reclaim()}), so a steady stream allocates nothing.
 *
 * <p>Threading: the {@code offer} methods and {@link #reclaim()} are called by the producer thread only,
 * {@link #poll} by the consumer thread only; {@link #close()} once both have stopped.
 *
 * <pre>{@code
 * Channel ch = new Channel("source->sum", 1024);
 * if (!ch.offerBatch(batch)) { pending = batch; }                // producer: full, retry later
 * ch.flush();                                                    // producer: end of its duty cycle
 * ch.poll((c, slot) -> { process(slot); return true; }, 0, 64); // consumer
 * }</pre>
 */
public final class Channel implements AutoCloseable {
    /** Offers published as one group at the most; a flush publishes whatever is claimed sooner. */
    public static final int PUBLISH_EVERY = 16;

    private final String name;
    private final RingBuffer<RingEntry> ring;
    private final EventPoller<RingEntry> poller;
    private final SpscArrayQueue<RecordBatch> handBack;
    private final Adapter adapter = new Adapter();
    /** The first claimed and not yet published sequence, or -1 when everything claimed is published. */
    private long firstUnpublished = -1;
    private long lastClaimed = -1;

    /** A channel whose ring holds {@code capacity} slots (a power of two). */
    public Channel(String name, int capacity) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("channel '" + name + "': capacity must be a power of two, not "
                    + capacity);
        }
        this.name = name;
        // The wait strategy is never waited on (the consumer polls); busy-spin's publish-side signal is a no-op.
        this.ring = RingBuffer.createSingleProducer(RingEntry::new, capacity, new BusySpinWaitStrategy());
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

    /** Sends a watermark, published at once with everything before it (control events do not wait). */
    public boolean offerWatermark(long timestamp) {
        return offerControl(SlotKind.WATERMARK, timestamp);
    }

    /** Sends checkpoint barrier {@code checkpointId}, published at once with everything before it. */
    public boolean offerBarrier(long checkpointId) {
        return offerControl(SlotKind.BARRIER, checkpointId);
    }

    /** Ends the channel, published at once with everything before it. */
    public boolean offerEndOfInput() {
        return offerControl(SlotKind.END_OF_INPUT, 0L);
    }

    private boolean offerControl(SlotKind kind, long value) {
        if (!offer(kind, null, value)) {
            return false;
        }
        flush();
        return true;
    }

    private boolean offer(SlotKind kind, RecordBatch batch, long value) {
        // Single producer: capacity can only grow between this check and next(), so next() never waits.
        if (!ring.hasAvailableCapacity(1)) {
            return false;
        }
        long sequence = ring.next();
        RingEntry entry = ring.get(sequence);
        entry.kind = kind;
        entry.batch = batch;
        entry.value = value;
        lastClaimed = sequence;
        if (firstUnpublished < 0) {
            firstUnpublished = sequence;
        }
        if (sequence - firstUnpublished + 1 >= PUBLISH_EVERY) {
            flush();
        }
        return true;
    }

    /** Makes every offer so far visible to the consumer. Producer thread only; cheap when there is none. */
    public void flush() {
        if (firstUnpublished >= 0) {
            ring.publish(firstUnpublished, lastClaimed);
            firstUnpublished = -1;
        }
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
        long published = Math.max(ring.getCursor(), lastClaimed);
        for (long s = consumed + 1; s <= published; s++) {
            RingEntry entry = ring.get(s);
            if (entry.batch != null) {
                entry.batch.close();
                entry.batch = null;
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

    /**
     * Bridges Disruptor's poller to {@link SlotHandler}; one per channel so polling allocates nothing. The
     * handler sees a consumer-owned {@link Slot} copied from the ring entry, so the consumer never writes
     * to the ring: no cache line bounces between the entry the producer fills and the one being read.
     */
    private final class Adapter implements EventPoller.Handler<RingEntry> {
        final Slot view = new Slot();
        SlotHandler handler;
        int index;
        int limit;
        int delivered;

        @Override
        public boolean onEvent(RingEntry entry, long sequence, boolean endOfBatch) {
            view.set(entry.kind, entry.batch, entry.value);
            boolean more = handler.onSlot(index, view);
            delivered++;
            if (entry.batch != null && !view.taken && !handBack.offer(entry.batch)) {
                entry.batch.close();
            }
            return more && delivered < limit;
        }
    }
}
