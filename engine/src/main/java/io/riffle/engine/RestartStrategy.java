package io.riffle.engine;

import java.time.Duration;

/**
 * What a job does when a subtask fails: fail for good ({@link #none()}), or cancel every subtask,
 * restore the latest complete checkpoint (or start over when there is none) and go on, up to a number of
 * restarts, after a fixed or exponentially growing delay. When the restarts are used up the job fails
 * with the last failure's cause. Immutable.
 */
public final class RestartStrategy {
    private final int maxRestarts;
    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;

    private RestartStrategy(int maxRestarts, long initialNanos, long maxNanos, double multiplier) {
        this.maxRestarts = maxRestarts;
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
        this.multiplier = multiplier;
    }

    /** The first failure fails the job. */
    public static RestartStrategy none() {
        return new RestartStrategy(0, 0, 0, 1);
    }

    /** Up to {@code restarts} restarts, each after {@code delay}. */
    public static RestartStrategy fixedDelay(int restarts, Duration delay) {
        check(restarts, delay);
        return new RestartStrategy(restarts, delay.toNanos(), delay.toNanos(), 1);
    }

    /** Up to {@code restarts} restarts, the first after {@code initial}, each next one twice as late, at most {@code max}. */
    public static RestartStrategy exponentialBackoff(int restarts, Duration initial, Duration max) {
        check(restarts, initial);
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("the longest delay (" + max + ") is shorter than the first (" + initial + ")");
        }
        return new RestartStrategy(restarts, initial.toNanos(), max.toNanos(), 2);
    }

    private static void check(int restarts, Duration delay) {
        if (restarts < 0) {
            throw new IllegalArgumentException("the number of restarts must be at least 0, not " + restarts);
        }
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a restart delay must not be negative: " + delay);
        }
    }

    public int maxRestarts() {
        return maxRestarts;
    }

    /** The delay before restart number {@code restart} (1-based), or -1 when no restart is left. */
    public long delayNanos(int restart) {
        if (restart > maxRestarts) {
            return -1;
        }
        double d = initialNanos * Math.pow(multiplier, restart - 1);
        return (long) Math.min(d, maxNanos);
    }

    @Override
    public String toString() {
        if (maxRestarts == 0) {
            return "no restarts";
        }
        return maxRestarts + " restarts, " + (multiplier == 1 ? "every " + Duration.ofNanos(initialNanos)
                : "from " + Duration.ofNanos(initialNanos) + " doubling up to " + Duration.ofNanos(maxNanos));
    }
}
