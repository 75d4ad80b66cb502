package io.riffle.engine.internal.runtime;

import java.util.Arrays;

/**
 * The event time of a subtask with several input channels: the minimum of the channels' watermarks,
 * leaving out channels marked idle (a channel becomes active again with its next record or watermark).
 * When every channel is idle the subtask is idle itself and says so downstream once. Watermarks only
 * go forward: a channel that comes back behind the others holds the next advance back, never the past.
 */
final class InputWatermarks {
    private final long[] watermarks;
    private final boolean[] idle;
    private long current = Watermark.NONE;
    private boolean idleSent;

    InputWatermarks(int channels) {
        this.watermarks = new long[channels];
        this.idle = new boolean[channels];
        Arrays.fill(watermarks, Watermark.NONE);
    }

    /** The watermark the subtask has passed on. */
    long current() {
        return current;
    }

    /** A record arrived on {@code channel}: it is active. */
    void onRecords(int channel) {
        if (idle[channel]) {
            idle[channel] = false;
            idleSent = false;
        }
    }

    /**
     * Channel {@code channel} sent {@code watermark}; returns what to pass on downstream: a new, higher
     * watermark, {@link Watermark#IDLE} when every channel became idle, or {@link Watermark#NONE}: nothing.
     */
    long onWatermark(int channel, long watermark) {
        if (watermark == Watermark.IDLE) {
            idle[channel] = true;
        } else {
            idle[channel] = false;
            idleSent = false;
            watermarks[channel] = Math.max(watermarks[channel], watermark);
        }
        long min = Long.MAX_VALUE;
        boolean anyActive = false;
        for (int c = 0; c < watermarks.length; c++) {
            if (!idle[c]) {
                anyActive = true;
                min = Math.min(min, watermarks[c]);
            }
        }
        if (!anyActive) {
            if (idleSent) {
                return Watermark.NONE;
            }
            idleSent = true;
            return Watermark.IDLE;
        }
        if (min > current) {
            current = min;
            return min;
        }
        return Watermark.NONE;
    }
}
