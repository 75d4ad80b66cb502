package io.riffle.scheduler.channel;

/** Receives slots from a {@link Channel} or an {@link InputGate}, on the consumer's thread. */
@FunctionalInterface
public interface SlotHandler {
    /**
     * Handles the slot of input channel {@code channel} (its index in the gate; 0 for a lone channel).
     * Returns false to stop this poll after this slot.
     */
    boolean onSlot(int channel, Slot slot);
}
