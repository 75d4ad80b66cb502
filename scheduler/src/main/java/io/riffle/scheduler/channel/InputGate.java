package io.riffle.scheduler.channel;

/**
 * The inputs of one consumer: several {@link Channel}s polled fairly (each poll starts one channel
 * further round). A channel can be held back ({@link #block}) while the others go on, which barrier
 * alignment needs: once a handler blocks a channel, no further slot of it is delivered until
 * {@link #unblock}. A channel's END_OF_INPUT is not delivered; the gate delivers a single END_OF_INPUT
 * once every channel has ended. Single-threaded: owned by the consumer tasklet.
 *
 * <pre>{@code
 * InputGate gate = new InputGate(left, right);
 * int n = gate.poll((channel, slot) -> {
 *     if (slot.kind() == SlotKind.BARRIER) gate.block(channel);
 *     return true;
 * }, 64);
 * }</pre>
 */
public final class InputGate {
    private final Channel[] channels;
    private final boolean[] blocked;
    private final boolean[] ended;
    private final Filter filter = new Filter();
    private int endedCount;
    private int next;
    private boolean endDelivered;

    public InputGate(Channel... channels) {
        if (channels.length == 0) {
            throw new IllegalArgumentException("an input gate needs at least one channel");
        }
        this.channels = channels.clone();
        this.blocked = new boolean[channels.length];
        this.ended = new boolean[channels.length];
    }

    public int channelCount() {
        return channels.length;
    }

    public Channel channel(int index) {
        return channels[index];
    }

    /** Holds back channel {@code index}: its slots stay in its ring (and fill it) until unblocked. */
    public void block(int index) {
        blocked[index] = true;
    }

    public void unblock(int index) {
        blocked[index] = false;
    }

    public boolean isBlocked(int index) {
        return blocked[index];
    }

    /** True once channel {@code index} delivered its END_OF_INPUT. */
    public boolean isEnded(int index) {
        return ended[index];
    }

    /** How many channels have delivered their END_OF_INPUT. */
    public int endedCount() {
        return endedCount;
    }

    /** True once every channel has ended and the gate's END_OF_INPUT was delivered. */
    public boolean isFinished() {
        return endDelivered;
    }

    /**
     * Delivers up to {@code limit} slots over all unblocked channels, starting with the channel after the
     * one that started last time; returns how many were delivered.
     */
    public int poll(SlotHandler handler, int limit) {
        int delivered = 0;
        int start = next;
        next = (next + 1) % channels.length;
        filter.handler = handler;
        filter.stop = false;
        try {
            for (int k = 0; k < channels.length && delivered < limit && !filter.stop; k++) {
                int c = (start + k) % channels.length;
                if (blocked[c] || ended[c]) {
                    continue;
                }
                delivered += channels[c].poll(filter, c, limit - delivered);
            }
        } finally {
            filter.handler = null;
        }
        if (endedCount == channels.length && !endDelivered) {
            endDelivered = true;
            filter.endSlot.set(SlotKind.END_OF_INPUT, null, 0L);
            handler.onSlot(channels.length - 1, filter.endSlot);
            delivered++;
        }
        return delivered;
    }

    /** Records channel ends and blocks; forwards everything else to the gate's handler. */
    private final class Filter implements SlotHandler {
        final Slot endSlot = new Slot();
        SlotHandler handler;
        boolean stop;

        @Override
        public boolean onSlot(int channel, Slot slot) {
            if (slot.kind == SlotKind.END_OF_INPUT) {
                ended[channel] = true;
                endedCount++;
                return false;
            }
            if (!handler.onSlot(channel, slot)) {
                stop = true;
                return false;
            }
            return !blocked[channel];
        }
    }
}
