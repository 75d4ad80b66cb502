package io.riffle.engine;

import java.time.Duration;

/**
 * The bounds of an interval join ({@link KeyedStream#intervalJoin(KeyedStream, JoinInterval)}): a left record
 * {@code l} and a right record {@code r} with equal keys join when {@code r.time - l.time} lies between
 * {@code lower} and {@code upper}, each bound inclusive unless made exclusive, as Flink's
 * {@code between(lower, upper).lowerBoundExclusive().upperBoundExclusive()}. Event time counts in whole
 * milliseconds, so an exclusive bound is the inclusive one a millisecond inside. Immutable.
 *
 * <pre>{@code
 * // each click with the impressions of its ad in the 10 minutes before it, not those at the click's instant
 * clicks.keyBy("ad").intervalJoin(impressions.keyBy("ad"),
 *         JoinInterval.between(Duration.ofMinutes(-10), Duration.ZERO).upperBoundExclusive())
 * }</pre>
 */
public final class JoinInterval {
    private final Duration lower;
    private final Duration upper;
    private final boolean lowerExclusive;
    private final boolean upperExclusive;

    private JoinInterval(Duration lower, Duration upper, boolean lowerExclusive, boolean upperExclusive) {
        this.lower = lower;
        this.upper = upper;
        this.lowerExclusive = lowerExclusive;
        this.upperExclusive = upperExclusive;
    }

    /** {@code lower <= r.time - l.time <= upper}; {@code lower} may be negative. */
    public static JoinInterval between(Duration lower, Duration upper) {
        if (lower == null || upper == null) {
            throw new IllegalArgumentException("an interval join needs both bounds, not " + lower + " and " + upper);
        }
        return new JoinInterval(lower, upper, false, false);
    }

    /** The same interval without its lower bound: {@code lower < r.time - l.time}. */
    public JoinInterval lowerBoundExclusive() {
        return new JoinInterval(lower, upper, true, upperExclusive);
    }

    /** The same interval without its upper bound: {@code r.time - l.time < upper}. */
    public JoinInterval upperBoundExclusive() {
        return new JoinInterval(lower, upper, lowerExclusive, true);
    }

    public Duration lower() {
        return lower;
    }

    public Duration upper() {
        return upper;
    }

    public boolean isLowerBoundExclusive() {
        return lowerExclusive;
    }

    public boolean isUpperBoundExclusive() {
        return upperExclusive;
    }

    /** The lowest {@code r.time - l.time} that joins, in ms: the lower bound, a millisecond up when exclusive. */
    long firstMillis() {
        long lo = lower.toMillis();
        // Only while lo < hi: then lo + 1 cannot overflow (and lo == hi with an exclusive bound holds nothing).
        return lowerExclusive && lo < upper.toMillis() ? lo + 1 : lo;
    }

    /** The highest {@code r.time - l.time} that joins, in ms: the upper bound, a millisecond down when exclusive. */
    long lastMillis() {
        long hi = upper.toMillis();
        return upperExclusive && lower.toMillis() < hi ? hi - 1 : hi;
    }

    /** Whether no difference of times lies in the interval, so that nothing could ever join. */
    boolean holdsNoMillisecond() {
        boolean point = lower.toMillis() == upper.toMillis();
        return (point && (lowerExclusive || upperExclusive)) || firstMillis() > lastMillis();
    }

    /** As the bounds were given, an exclusive one marked: {@code PT-0.005S exclusive, PT0S}. */
    @Override
    public String toString() {
        return lower + (lowerExclusive ? " exclusive" : "") + ", " + upper + (upperExclusive ? " exclusive" : "");
    }
}
