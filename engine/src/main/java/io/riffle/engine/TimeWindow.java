package io.riffle.engine;

import java.time.Instant;

/**
 * The window a {@link ProcessWindowFunction} is called for: {@code [start, end)} in milliseconds of event time,
 * as Flink's {@code TimeWindow}. A count window is {@link #GLOBAL}, as Flink's {@code GlobalWindow}: it spans
 * all of time.
 */
public record TimeWindow(long start, long end) {
    /** The window of count windows. */
    public static final TimeWindow GLOBAL = new TimeWindow(Long.MIN_VALUE, Long.MAX_VALUE);

    /** The last millisecond in the window ({@code end - 1}); {@code Long.MAX_VALUE} for {@link #GLOBAL}. */
    public long maxTimestamp() {
        return end == Long.MAX_VALUE ? Long.MAX_VALUE : end - 1;
    }

    public Instant startInstant() {
        return Instant.ofEpochMilli(start);
    }

    public Instant endInstant() {
        return Instant.ofEpochMilli(end);
    }

    @Override
    public String toString() {
        return this == GLOBAL || equals(GLOBAL) ? "GlobalWindow" : "TimeWindow[" + start + ", " + end + ")";
    }
}
