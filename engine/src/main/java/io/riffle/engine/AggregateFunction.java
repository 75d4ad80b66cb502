package io.riffle.engine;

/**
 * A user aggregation of a window's records, for what the built-in aggregates ({@link WindowedStream#sum} and
 * the others) do not compute: each key's records of a window are added into an accumulator, accumulators of
 * parts of a window (the panes of sliding windows, merged sessions) are merged, and the result is emitted when
 * the window fires. The methods are Flink's, arguments in Flink's order ({@code add(value, accumulator)}).
 * Accumulators are records of a declared schema, so that they go into checkpoints: {@code aggregate(...)} calls
 * {@link #createAccumulator} once when the program is built and refuses an accumulator that does not fit the
 * schema, and every accumulator {@code add} or {@code merge} returns is checked against it too.
 *
 * <pre>{@code
 * // The spread (max - min) of prices per symbol and minute.
 * BatchSchema acc = BatchSchema.of(Column.of("min", ColumnType.FLOAT64), Column.of("max", ColumnType.FLOAT64));
 * BatchSchema result = BatchSchema.of(Column.of("spread", ColumnType.FLOAT64));
 * trades.keyBy("symbol").window(Windows.tumbling(Duration.ofMinutes(1))).aggregate(new AggregateFunction() {
 *     public Tuple createAccumulator() { return Tuple.of(Double.MAX_VALUE, -Double.MAX_VALUE); }
 *     public Tuple add(Record trade, Tuple a) {
 *         return Tuple.of(Math.min(a.getDouble(0), trade.getDouble(2)), Math.max(a.getDouble(1), trade.getDouble(2)));
 *     }
 *     public Record getResult(Tuple a) { return Tuple.of(a.getDouble(1) - a.getDouble(0)); }
 *     public Tuple merge(Tuple a, Tuple b) {
 *         return Tuple.of(Math.min(a.getDouble(0), b.getDouble(0)), Math.max(a.getDouble(1), b.getDouble(1)));
 *     }
 * }, acc, result);                                          // (symbol, window_start, window_end, spread)
 * }</pre>
 */
public interface AggregateFunction {
    /** A new, empty accumulator (of the accumulator schema). */
    Tuple createAccumulator();

    /**
     * {@code accumulator} with {@code value} added (a new tuple; tuples are immutable). {@code value} is a view
     * valid only during the call. The accumulator is a {@link Tuple} and the value a {@link Record}, so an
     * implementation of the earlier {@code add(Tuple accumulator, Record value)} does not compile against this one.
     */
    Tuple add(Record value, Tuple accumulator) throws Exception;

    /** The window's result (of the result schema) from its accumulator. */
    Record getResult(Tuple accumulator) throws Exception;

    /** One accumulator holding what {@code a} and {@code b} hold ({@code a} from earlier records than {@code b}). */
    Tuple merge(Tuple a, Tuple b) throws Exception;
}
