package io.riffle.scheduler.channel;

import io.riffle.columnar.batch.RecordBatch;

/**
 * What a consumer's handler sees of one channel entry: a batch or a control event. The handler reads
 * it in place; to keep the batch beyond the handler it calls {@link #takeBatch()}, otherwise the batch
 * goes back to the producer for reuse when the handler returns. Owned by the consumer's thread.
 */
public final class Slot {
    SlotKind kind;
    RecordBatch batch;
    long value;
    boolean taken;

    public SlotKind kind() {
        return kind;
    }

    /** The batch of a {@link SlotKind#BATCH} slot, still owned by the channel. */
    public RecordBatch batch() {
        return taken ? null : batch;
    }

    /** Takes ownership of the batch: the caller must pass it on or close it. */
    public RecordBatch takeBatch() {
        RecordBatch b = batch();
        taken = true;
        return b;
    }

    /** The watermark timestamp or the checkpoint id. */
    public long value() {
        return value;
    }

    void set(SlotKind kind, RecordBatch batch, long value) {
        this.kind = kind;
        this.batch = batch;
        this.value = value;
        this.taken = false;
    }

    @Override
    public String toString() {
        return kind == SlotKind.BATCH ? "BATCH(" + batch + ")" : kind + "(" + value + ")";
    }
}
