package io.riffle.engine;

import java.time.Duration;

/**
 * Event-time windows of a keyed stream, aligned to the epoch: {@code tumbling(size)} puts each record in
 * the one window {@code [start, start + size)} holding its timestamp; {@code sliding(size, slide)} in every
 * window of that size starting at a multiple of {@code slide}. A window fires when the watermark reaches its
 * last millisecond ({@code end - 1}).
 */
public final class Windows {
    private final long sizeMillis;
    private final long slideMillis;

    private Windows(long sizeMillis, long slideMillis) {
        this.sizeMillis = sizeMillis;
        this.slideMillis = slideMillis;
    }

    /** Windows of {@code size} that do not overlap. */
    public static Windows tumbling(Duration size) {
        long size0 = positiveMillis(size, "window size");
        return new Windows(size0, size0);
    }

    /** Windows of {@code size} starting every {@code slide}; a record is in {@code size / slide} of them. */
    public static Windows sliding(Duration size, Duration slide) {
        long size0 = positiveMillis(size, "window size");
        long slide0 = positiveMillis(slide, "window slide");
        if (slide0 > size0) {
            throw new IllegalArgumentException("a window slide of " + slide0 + " ms is longer than the window ("
                    + size0 + " ms): records between windows would be lost");
        }
        return new Windows(size0, slide0);
    }

    private static long positiveMillis(Duration d, String what) {
        if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
            throw new IllegalArgumentException("the " + what + " must be at least 1 ms, not " + d);
        }
        return d.toMillis();
    }

    public long sizeMillis() {
        return sizeMillis;
    }

    public long slideMillis() {
        return slideMillis;
    }

    @Override
    public String toString() {
        return sizeMillis == slideMillis ? "tumbling(" + sizeMillis + " ms)"
                : "sliding(" + sizeMillis + " ms, " + slideMillis + " ms)";
    }
}
