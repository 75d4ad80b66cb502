package io.riffle.engine.internal.runtime;

/**
 * The special watermark values. A watermark is a timestamp in epoch milliseconds, carried in-band through
 * the rings after the records it covers.
 */
public final class Watermark {
    /** Before any watermark: nothing is known yet. */
    public static final long NONE = Long.MIN_VALUE + 1;
    /** End of input: every event-time window and timer fires. */
    public static final long MAX = Long.MAX_VALUE;
    /** Not a time: the stream is idle (see {@link Output#emitWatermark}). */
    public static final long IDLE = Long.MIN_VALUE;

    private Watermark() {
    }
}
