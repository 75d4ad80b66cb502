package io.riffle.scheduler.channel;

/** What a channel slot carries. Data and control travel in one sequence, so their order is kept. */
public enum SlotKind {
    /** A {@code RecordBatch}. */
    BATCH,
    /** A watermark: no later record on this channel has a timestamp at or below {@link Slot#value()}. */
    WATERMARK,
    /** Checkpoint barrier number {@link Slot#value()}. */
    BARRIER,
    /** The producer will send nothing more. */
    END_OF_INPUT
}
