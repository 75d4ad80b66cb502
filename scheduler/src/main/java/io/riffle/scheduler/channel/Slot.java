package io.riffle.scheduler.channel;

import io.riffle.columnar.batch.RecordBatch;

/**
 * One pre-allocated entry of a {@link Channel}'s ring: a batch or a control event. The consumer reads it
 * in place inside its handler; to keep the batch beyond that, it calls {@link #takeBatch()}, otherwise
 * the batch goes back to the producer for reuse when the handler returns.
 */
public final class Slot {
    SlotKind kind;
    RecordBatch batch;
    long value;

    public SlotKind kind() {
        return kind;
    }

    /** The batch of a {@link SlotKind#BATCH} slot, still owned by the channel. */
    public RecordBatch batch() {
        return batch;
    }

    /** Takes ownership of the batch: the caller must pass it on or close it. */
    public RecordBatch takeBatch() {
        RecordBatch b = batch;
        batch = null;
        return b;
    }

    /** The watermark timestamp or the checkpoint id. */
    public long value() {
        return value;
    }

    @Override
    public String toString() {
        return kind == SlotKind.BATCH ? "BATCH(" + batch + ")" : kind + "(" + value + ")";
    }
}
