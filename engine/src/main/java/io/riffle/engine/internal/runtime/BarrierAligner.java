package io.riffle.engine.internal.runtime;

import java.util.function.LongConsumer;

import io.riffle.scheduler.channel.InputGate;

/**
 * Aligns checkpoint barriers over the channels of one subtask's input gate (exactly-once, aligned only):
 * a channel that delivered barrier N is blocked until every channel has delivered it or ended, so that the
 * snapshot holds exactly the records before the barrier on every input; then the checkpoint is taken (once)
 * and every channel is unblocked. A barrier the subtask has already taken, or older than the one aligning,
 * belongs to a checkpoint that was aborted and is passed over; a newer one means the one aligning was
 * aborted: its channels are unblocked and alignment starts over for the newer one. Single-threaded: owned
 * by the subtask's tasklet, like its gate.
 */
final class BarrierAligner {
    /** What {@link #aligning()} says when no barrier is being aligned: checkpoint ids start at 1. */
    static final long NONE = 0;

    private final InputGate gate;
    /** Takes the checkpoint once aligned: snapshots the chain and sends the barrier on, channels still blocked. */
    private final LongConsumer checkpoint;
    private long aligning = NONE;

    BarrierAligner(InputGate gate, LongConsumer checkpoint) {
        this.gate = gate;
        this.checkpoint = checkpoint;
    }

    /**
     * Channel {@code channel} delivered barrier {@code id}; {@code lastTaken} is the newest checkpoint the
     * subtask has taken (a source subtask also takes those its source injects).
     */
    void onBarrier(int channel, long id, long lastTaken) {
        if (id <= lastTaken || (aligning != NONE && id < aligning)) {
            return;
        }
        if (id > aligning) {
            unblockAll();
            aligning = id;
        }
        gate.block(channel);
        completeIfAligned();
    }

    /**
     * After channels may have ended (their end of input is not seen by the subtask, only by the gate): an
     * ended channel no longer holds the alignment back.
     */
    void onChannelsEnded() {
        if (aligning != NONE) {
            completeIfAligned();
        }
    }

    /** The checkpoint being aligned, or {@link #NONE}. */
    long aligning() {
        return aligning;
    }

    private void completeIfAligned() {
        for (int c = 0; c < gate.channelCount(); c++) {
            if (!gate.isBlocked(c) && !gate.isEnded(c)) {
                return;
            }
        }
        long id = aligning;
        aligning = NONE;
        checkpoint.accept(id);
        unblockAll();
    }

    private void unblockAll() {
        for (int c = 0; c < gate.channelCount(); c++) {
            gate.unblock(c);
        }
    }
}
