package io.riffle.engine;

import java.time.Duration;

/**
 * How a stream's event time is read and how far behind its watermarks run: the timestamp field
 * ({@code timestamp[ms]} or {@code int64} epoch milliseconds), the out-of-orderness tolerated (a
 * watermark is the highest timestamp seen minus that bound minus 1 ms, so a record at the bound is
 * still on time), and optionally an idle timeout after which a subtask with no records stops holding
 * back the event time of the operators downstream.
 *
 * <pre>{@code
 * orders.assignTimestampsAndWatermarks(
 *         WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(5)).withIdleness(Duration.ofMinutes(1)))
 * }</pre>
 */
public final class WatermarkStrategy {
    private final String field;
    private final Duration outOfOrderness;
    private final Duration idleness;

    private WatermarkStrategy(String field, Duration outOfOrderness, Duration idleness) {
        if (field == null) {
            throw new IllegalArgumentException("a watermark strategy needs a timestamp field");
        }
        if (outOfOrderness.isNegative()) {
            throw new IllegalArgumentException("out-of-orderness must not be negative: " + outOfOrderness);
        }
        if (idleness.isNegative()) {
            throw new IllegalArgumentException("the idle timeout must not be negative: " + idleness);
        }
        this.field = field;
        this.outOfOrderness = outOfOrderness;
        this.idleness = idleness;
    }

    /** Timestamps that never go down within a source subtask: the watermark follows the highest one. */
    public static WatermarkStrategy monotonousTimestamps(String field) {
        return new WatermarkStrategy(field, Duration.ZERO, Duration.ZERO);
    }

    /** Records up to {@code maxOutOfOrderness} behind the highest timestamp seen are still on time. */
    public static WatermarkStrategy boundedOutOfOrderness(String field, Duration maxOutOfOrderness) {
        return new WatermarkStrategy(field, maxOutOfOrderness, Duration.ZERO);
    }

    /**
     * A subtask that has seen no record for {@code timeout} is marked idle until its next record, so
     * that its silence does not stop event time downstream. {@code Duration.ZERO}: never idle.
     */
    public WatermarkStrategy withIdleness(Duration timeout) {
        return new WatermarkStrategy(field, outOfOrderness, timeout);
    }

    public String field() {
        return field;
    }

    public Duration outOfOrderness() {
        return outOfOrderness;
    }

    public Duration idleness() {
        return idleness;
    }

    @Override
    public String toString() {
        return "watermarks(" + field + ", out of order " + outOfOrderness.toMillis() + " ms"
                + (idleness.isZero() ? "" : ", idle after " + idleness.toMillis() + " ms") + ")";
    }
}
