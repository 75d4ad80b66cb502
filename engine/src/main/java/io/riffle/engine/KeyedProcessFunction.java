package io.riffle.engine;

/**
 * A user function over a keyed stream with per-key state and timers, for what windows and aggregations do
 * not express: timeouts, alerts, custom triggers. Called for each record with its key's context, and again
 * for each timer that fires. One record of state per key ({@link Context#state}) and the timers are part of
 * the checkpoints and follow their keys when the job is restored at another parallelism.
 *
 * <pre>{@code
 * // Emit (user, last seen) once a user has been quiet for a minute of event time.
 * clicks.keyBy("user").process(new KeyedProcessFunction() {
 *     public void processElement(Record click, Context ctx, Collector out) {
 *         Record last = ctx.state();
 *         if (last != null) {
 *             ctx.deleteEventTimeTimer(last.getLong(0) + 60_000);
 *         }
 *         ctx.setState(Tuple.of(ctx.timestamp()));
 *         ctx.registerEventTimeTimer(ctx.timestamp() + 60_000);
 *     }
 *     public void onTimer(long time, Context ctx, Collector out) {
 *         out.collect(ctx.currentKey(), Instant.ofEpochMilli(ctx.state().getLong(0)));
 *         ctx.setState(null);
 *     }
 * }, outputSchema, stateSchema);
 * }</pre>
 */
public interface KeyedProcessFunction {
    /** One input record; {@code record} is a view valid only during the call. */
    void processElement(Record record, Context context, Collector out) throws Exception;

    /** A timer of the context's key registered for {@code time} has fired (event time or processing time). */
    default void onTimer(long time, Context context, Collector out) throws Exception {
    }

    /** The key being processed, its state and its timers; valid only during the call it is given to. */
    interface Context {
        /** The key of the record or of the timer. */
        Object currentKey();

        /**
         * The record's event time in ms (with event time upstream), or in {@link #onTimer} the timer's time;
         * {@code Long.MIN_VALUE} for a record without event time.
         */
        long timestamp();

        /** Whether the timer being fired is an event-time timer; false for a record. */
        boolean isEventTimeTimer();

        /** Event time as far as this subtask knows: no later record will be at or below it. */
        long currentWatermark();

        /** Wall-clock time in ms since the epoch, what processing-time timers are set in. */
        long currentProcessingTime();

        /** Calls {@link #onTimer} once the watermark reaches {@code time}; once per key and time. */
        void registerEventTimeTimer(long time);

        /** Calls {@link #onTimer} once the wall clock reaches {@code time}; once per key and time. */
        void registerProcessingTimeTimer(long time);

        void deleteEventTimeTimer(long time);

        void deleteProcessingTimeTimer(long time);

        /** The key's state record (of the declared state schema), or null when it has none. */
        Record state();

        /**
         * Replaces the key's state with {@code state} (copied), or clears it with null. A state that does not fit
         * the state schema (arity, a field's type, a null in a non-nullable field) fails the job here, naming the
         * schema and the field.
         */
        void setState(Record state);
    }
}
