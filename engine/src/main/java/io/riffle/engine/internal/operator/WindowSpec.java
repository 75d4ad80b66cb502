package io.riffle.engine.internal.operator;

/**
 * The shape of keyed event-time windows (tumbling or sliding): windows {@code size} ms long start at
 * {@code offset} plus multiples of {@code slide} (Flink's window offsets; kept modulo the slide,
 * {@code 0 <= offset < slide}), and a window's state is kept {@code allowedLateness} ms of event time after it
 * fired, so that late records still update it. The one place the window arithmetic (panes, window starts) lives.
 *
 * <pre>{@code
 * WindowSpec.sliding(300, 100).withOffset(50).withAllowedLateness(1_000)
 * }</pre>
 */
public record WindowSpec(long size, long slide, long offset, long allowedLateness) {
    public WindowSpec {
        if (size < 1 || slide < 1 || allowedLateness < 0) {
            throw new IllegalArgumentException("windows of " + size + " ms every " + slide + " ms with "
                    + allowedLateness + " ms allowed lateness: size and slide must be positive, lateness not negative");
        }
        offset = Math.floorMod(offset, slide);
    }

    /** Windows of {@code size} ms, one starting every {@code size} ms from the epoch. */
    public static WindowSpec tumbling(long size) {
        return new WindowSpec(size, size, 0, 0);
    }

    /** Windows of {@code size} ms, one starting every {@code slide} ms from the epoch. */
    public static WindowSpec sliding(long size, long slide) {
        return new WindowSpec(size, slide, 0, 0);
    }

    /** These windows starting at {@code offset} (any sign; taken modulo the slide) plus multiples of the slide. */
    public WindowSpec withOffset(long offset) {
        return new WindowSpec(size, slide, offset, allowedLateness);
    }

    public WindowSpec withAllowedLateness(long allowedLateness) {
        return new WindowSpec(size, slide, offset, allowedLateness);
    }

    /** How long a pane is: the longest span that lies in the same windows, {@code gcd(size, slide)}. */
    public long pane() {
        long a = size;
        long b = slide;
        while (b != 0) {
            long r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    /** Whether each window is one pane: tumbling windows. */
    public boolean onePanePerWindow() {
        return pane() == size;
    }

    /** The start of the last window holding time {@code time}: the highest window start at or below it. */
    public long lastWindowStart(long time) {
        return time - Math.floorMod(time - offset, slide);
    }

    /**
     * The highest time whose every window is past its allowed lateness at {@code watermark} (its last millisecond
     * plus the lateness at or below the watermark): a record up to it is late, and state up to it may go.
     * {@code Long.MIN_VALUE} while no window is; {@code Long.MAX_VALUE} at the end of input.
     */
    public long expiredThrough(long watermark) {
        if (watermark == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long lastExpiredStart = StreamJoinOperator.saturatedAdd(watermark, 1 - size - allowedLateness);
        if (lastExpiredStart < Long.MIN_VALUE + slide) {
            return Long.MIN_VALUE;
        }
        return lastWindowStart(lastExpiredStart) + slide - 1;
    }

    /** Whether time {@code time} is in a window: always, but between the windows of a slide longer than their size. */
    public boolean inWindow(long time) {
        return Math.floorMod(time - offset, slide) < size;
    }
}
