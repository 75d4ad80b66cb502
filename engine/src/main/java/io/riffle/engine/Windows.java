package io.riffle.engine;

import java.time.Duration;

/**
 * Windows of a keyed stream. Event time, aligned to the epoch: {@code tumbling(size)} puts each record in
 * the one window {@code [start, start + size)} holding its timestamp; {@code sliding(size, slide)} in every
 * window of that size starting at a multiple of {@code slide} (in none when it falls between the windows of
 * a slide longer than the size); such a window fires when the watermark
 * reaches its last millisecond ({@code end - 1}). By count: {@code count(n)} cuts each key's records, in
 * arrival order, into windows of {@code n} records, each fired by its last record (a global window with a
 * count trigger); no event time needed. {@code count(size, slide)} fires every {@code slide}-th record with
 * the key's last {@code size}; {@code tumbling(size, offset)} and {@code sliding(size, slide, offset)} shift
 * time windows from the epoch. {@code session(gap)} gives each record the window {@code [t, t + gap)}
 * and merges a key's windows that overlap or touch (as in Flink) into sessions, each fired when the watermark
 * reaches its last record plus the gap, less one millisecond.
 *
 * <pre>{@code
 * clicks.keyBy("user").window(Windows.session(Duration.ofMinutes(30))).count()   // (user, window_start, window_end, count)
 * }</pre>
 */
public final class Windows {
    private final long sizeMillis;
    private final long slideMillis;
    private final long count;
    private final long gapMillis;
    /** Time windows: where they start, {@code offsetMillis} plus multiples of the slide. */
    private final long offsetMillis;
    /** Count windows: records between firings; {@code count} for windows that do not overlap. */
    private final long countSlide;

    private Windows(long sizeMillis, long slideMillis, long count, long gapMillis) {
        this(sizeMillis, slideMillis, count, gapMillis, 0, count);
    }

    private Windows(long sizeMillis, long slideMillis, long count, long gapMillis, long offsetMillis, long countSlide) {
        this.sizeMillis = sizeMillis;
        this.slideMillis = slideMillis;
        this.count = count;
        this.gapMillis = gapMillis;
        this.offsetMillis = offsetMillis;
        this.countSlide = countSlide;
    }

    /**
     * Sliding count windows, Flink's {@code countWindow(size, slide)}: every {@code slide}-th record of a key
     * fires a window of its last {@code size} records, or of all its records so far while it has fewer (so
     * {@code count(3, 2)} fires at a key's records 2, 4, 6, ... with records 1-2, 2-4, 4-6, ...).
     * {@code count(size, size)} is {@code count(size)}.
     */
    public static Windows count(long size, long slide) {
        Windows tumbling = count(size);
        if (slide < 1) {
            throw new IllegalArgumentException("a count window needs a slide of at least 1 record, not " + slide);
        }
        return new Windows(0, 0, tumbling.count, 0, 0, slide);
    }

    /** The records between a count window's firings: {@link #count()} unless the windows slide. */
    public long countSlide() {
        return countSlide;
    }

    /**
     * Tumbling windows shifted by {@code offset} from the epoch, as Flink's
     * {@code TumblingEventTimeWindows.of(size, offset)}: a record at {@code t} is in the window starting at
     * {@code t - floorMod(t - offset, size)} (negative times too). An offset of -8 h makes daily windows start
     * at midnight UTC+8; {@code |offset| < size}.
     */
    public static Windows tumbling(Duration size, Duration offset) {
        long size0 = positiveMillis(size, "window size");
        return new Windows(size0, size0, 0, 0, offsetMillis(offset, size0, "size"), 0);
    }

    /**
     * Sliding windows shifted by {@code offset} from the epoch, as Flink's
     * {@code SlidingEventTimeWindows.of(size, slide, offset)}: windows start at {@code offset} plus multiples of
     * {@code slide}; {@code |offset| < slide}.
     */
    public static Windows sliding(Duration size, Duration slide, Duration offset) {
        Windows aligned = sliding(size, slide);
        return new Windows(aligned.sizeMillis, aligned.slideMillis, 0, 0,
                offsetMillis(offset, aligned.slideMillis, "slide"), 0);
    }

    private static long offsetMillis(Duration offset, long bound, String what) {
        long millis = offset.toMillis();
        if (Math.abs(millis) >= bound) {
            throw new IllegalArgumentException("a window offset of " + millis + " ms is not shorter than the window "
                    + what + " (" + bound + " ms): windows repeat every " + bound + " ms, so use "
                    + Math.floorMod(millis, bound) + " ms");
        }
        return millis;
    }

    /** Time windows: the offset of their starts from the epoch (ms, may be negative); 0 unless given. */
    public long offsetMillis() {
        return offsetMillis;
    }

    /**
     * Session windows: a key's records closer than {@code gap} to each other (in event time) form one
     * session, from its first record to its last record plus {@code gap}; sessions merge as records fill the
     * gaps between them, in whatever order those arrive.
     */
    public static Windows session(Duration gap) {
        return new Windows(0, 0, 0, positiveMillis(gap, "session gap"));
    }

    /** The gap of session windows; 0 for the others. */
    public long gapMillis() {
        return gapMillis;
    }

    /** Windows of {@code records} records per key, in the order they arrive; a window still open at the end does not fire. */
    public static Windows count(long records) {
        if (records < 1) {
            throw new IllegalArgumentException("a count window needs at least 1 record, not " + records);
        }
        return new Windows(0, 0, records, 0);
    }

    /** The records per window of a count window; 0 for event-time windows. */
    public long count() {
        return count;
    }

    /** Windows of {@code size} that do not overlap. */
    public static Windows tumbling(Duration size) {
        long size0 = positiveMillis(size, "window size");
        return new Windows(size0, size0, 0, 0);
    }

    /**
     * Windows of {@code size} starting every {@code slide}; a record is in {@code size / slide} of them. A slide
     * longer than the size makes sampling windows, as in Flink: a record between two windows is in none and
     * counts nowhere (it is late, and dropped as late, only when it is behind the watermark by more than the
     * allowed lateness, as Flink's window operator takes a record no window took).
     */
    public static Windows sliding(Duration size, Duration slide) {
        return new Windows(positiveMillis(size, "window size"), positiveMillis(slide, "window slide"), 0, 0);
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
        if (count > 0 && countSlide != count) {
            return "count(" + count + ", " + countSlide + ")";
        }
        String aligned = count > 0 ? "count(" + count + ")" : gapMillis > 0 ? "session(" + gapMillis + " ms)" : sizeMillis == slideMillis ? "tumbling(" + sizeMillis + " ms)"
                : "sliding(" + sizeMillis + " ms, " + slideMillis + " ms)";
        return offsetMillis == 0 ? aligned
                : aligned.substring(0, aligned.length() - 1) + ", offset " + offsetMillis + " ms)";
    }
}
