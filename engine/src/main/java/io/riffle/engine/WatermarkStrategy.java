package io.riffle.engine;

import java.time.Duration;

import io.riffle.engine.expr.Expr;

/**
 * How a stream's event time is read and when its watermarks are emitted: the timestamp field
 * ({@code timestamp[ms]} or {@code int64} epoch milliseconds), the out-of-orderness tolerated (a
 * watermark is the highest timestamp seen minus that bound minus 1 ms, so a record at the bound is
 * still on time), and optionally an idle timeout after which a subtask with no records stops holding
 * back the event time of the operators downstream.
 *
 * <p>When watermarks are emitted:
 * <ul>
 *   <li>by default after each batch that raises the watermark: the cheapest, but which records a
 *   watermark overtakes then depends on the batch size;</li>
 *   <li>{@link #perRecord()}: after every record that raises it, as a Flink generator that emits from
 *   {@code onEvent} (Flink's BoundedOutOfOrdernessWatermarks emitted per event): what is late downstream
 *   then does not depend on the batch size;</li>
 *   <li>{@link #punctuatedBy(Expr)}: after every record a predicate marks, and only there;</li>
 *   <li>{@link #punctuated(String, String)}: after every record that carries one in a field.</li>
 * </ul>
 * In the last three the batches are split at those records, so each watermark follows exactly the records
 * before it, and a record at or below the watermark (which may be late downstream) travels in a batch of
 * its own, so that downstream operators meet it as Flink's meet each record.
 *
 * <pre>{@code
 * orders.assignTimestampsAndWatermarks(
 *         WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(5)).withIdleness(Duration.ofMinutes(1)))
 * ticks.assignTimestampsAndWatermarks(
 *         WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO).punctuatedBy(col("kind").eq("heartbeat")))
 * }</pre>
 */
public final class WatermarkStrategy {
    /** When watermarks are emitted; see the class comment. */
    enum Emission {
        PER_BATCH, PER_RECORD, PUNCTUATED_BY_PREDICATE, PUNCTUATED_BY_FIELD
    }

    private final String field;
    private final Duration outOfOrderness;
    private final Duration idleness;
    private final Emission emission;
    /** The records after which a watermark is due ({@link Emission#PUNCTUATED_BY_PREDICATE}); else null. */
    private final Expr marker;
    /** The field carrying watermarks ({@link Emission#PUNCTUATED_BY_FIELD}); else null. */
    private final String watermarkField;

    private WatermarkStrategy(String field, Duration outOfOrderness, Duration idleness, Emission emission,
                              Expr marker, String watermarkField) {
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
        this.emission = emission;
        this.marker = marker;
        this.watermarkField = watermarkField;
    }

    /** Timestamps that never go down within a source subtask: the watermark follows the highest one. */
    public static WatermarkStrategy monotonousTimestamps(String field) {
        return new WatermarkStrategy(field, Duration.ZERO, Duration.ZERO, Emission.PER_BATCH, null, null);
    }

    /** Records up to {@code maxOutOfOrderness} behind the highest timestamp seen are still on time. */
    public static WatermarkStrategy boundedOutOfOrderness(String field, Duration maxOutOfOrderness) {
        return new WatermarkStrategy(field, maxOutOfOrderness, Duration.ZERO, Emission.PER_BATCH, null, null);
    }

    /**
     * Event time from {@code timestampField}, watermarks from {@code watermarkField} ({@code int64} or
     * {@code timestamp[ms]}, null on most records): after each record whose {@code watermarkField} holds a
     * value above the last watermark, that value is the watermark. As a Flink punctuated generator whose
     * {@code onEvent} emits {@code new Watermark(event.getWatermarkTimestamp())} for marked events.
     *
     * <pre>{@code
     * events.assignTimestampsAndWatermarks(WatermarkStrategy.punctuated("time", "watermark"))
     * }</pre>
     */
    public static WatermarkStrategy punctuated(String timestampField, String watermarkField) {
        if (watermarkField == null) {
            throw new IllegalArgumentException("a punctuated watermark strategy needs the field that carries the"
                    + " watermarks");
        }
        return new WatermarkStrategy(timestampField, Duration.ZERO, Duration.ZERO, Emission.PUNCTUATED_BY_FIELD, null,
                watermarkField);
    }

    /**
     * The same strategy emitting its watermark after every record that raises it, instead of after each
     * batch: the watermarks of a Flink generator that emits from {@code onEvent}. It costs a split batch per
     * rising record (in-order data: every record), so use it where the records a watermark overtakes must not
     * depend on the batch size; see docs/engine.md for the measured cost.
     */
    public WatermarkStrategy perRecord() {
        requirePerBatch("perRecord()");
        return new WatermarkStrategy(field, outOfOrderness, idleness, Emission.PER_RECORD, null, null);
    }

    /**
     * The same strategy emitting its watermark (the highest timestamp so far, the marked record's included,
     * minus the out-of-orderness, minus 1 ms) only after the records where {@code marker} is true (not false,
     * not null), evaluated a batch at a time as {@link DataStream#where}. As a Flink generator whose
     * {@code onEvent} tracks the highest timestamp and emits only for marked events.
     */
    public WatermarkStrategy punctuatedBy(Expr marker) {
        requirePerBatch("punctuatedBy(" + marker + ")");
        if (marker == null) {
            throw new IllegalArgumentException("punctuatedBy needs a predicate that marks the records");
        }
        return new WatermarkStrategy(field, outOfOrderness, idleness, Emission.PUNCTUATED_BY_PREDICATE, marker, null);
    }

    private void requirePerBatch(String what) {
        if (emission != Emission.PER_BATCH) {
            throw new IllegalArgumentException(what + ": " + this + " already says when watermarks are emitted");
        }
    }

    /**
     * A subtask that has seen no record for {@code timeout} is marked idle until its next record, so
     * that its silence does not stop event time downstream. {@code Duration.ZERO}: never idle.
     */
    public WatermarkStrategy withIdleness(Duration timeout) {
        return new WatermarkStrategy(field, outOfOrderness, timeout, emission, marker, watermarkField);
    }

    /**
     * Whether watermarks are emitted after each batch that raises them (the default), not per record nor
     * punctuated: what a source that makes its own watermarks per split supports.
     */
    public boolean emitsPerBatch() {
        return emission == Emission.PER_BATCH;
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

    Emission emission() {
        return emission;
    }

    /** The predicate marking the records a watermark follows, or null unless {@link #punctuatedBy}. */
    Expr marker() {
        return marker;
    }

    /** The field carrying watermarks, or null unless {@link #punctuated(String, String)}. */
    String watermarkField() {
        return watermarkField;
    }

    @Override
    public String toString() {
        String when = switch (emission) {
            case PER_BATCH -> "";
            case PER_RECORD -> ", per record";
            case PUNCTUATED_BY_PREDICATE -> ", after records where " + marker;
            case PUNCTUATED_BY_FIELD -> "";
        };
        String source = emission == Emission.PUNCTUATED_BY_FIELD ? "from field " + watermarkField
                : "out of order " + outOfOrderness.toMillis() + " ms";
        return "watermarks(" + field + ", " + source + when
                + (idleness.isZero() ? "" : ", idle after " + idleness.toMillis() + " ms") + ")";
    }
}
