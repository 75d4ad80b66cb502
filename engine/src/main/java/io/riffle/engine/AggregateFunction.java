package io.riffle.engine;

/**
 * A user aggregation of a window's records, for what the built-in aggregates ({@link WindowedStream#sum} and
 * the others) do not compute: each key's records of a window are added into an accumulator, accumulators of
 * parts of a window (the panes of sliding windows) are merged, and the result is emitted when the window
 * fires. Accumulators are records of a declared schema, so that they go into checkpoints.
 *
 * <pre>{@code
 * // The spread (max - min) of prices per symbol and minute.
 * BatchSchema acc = BatchSchema.of(Column.of("min", ColumnType.FLOAT64), Column.of("max", ColumnType.FLOAT64));
 * BatchSchema result = BatchSchema.of(Column.of("spread", ColumnType.FLOAT64));
 * trades.keyBy("symbol").window(Windows.tumbling(Duration.ofMinutes(1))).aggregate(new AggregateFunction() {
 *     public Tuple createAccumulator() { return Tuple.of(Double.MAX_VALUE, -Double.MAX_VALUE); }
 *     public Tuple add(Tuple a, Record r) {
 *         return Tuple.of(Math.min(a.getDouble(0), r.getDouble(2)), Math.max(a.getDouble(1), r.getDouble(2)));
 *     }
 *     public Tuple merge(Tuple a, Tuple b) {
 *         return Tuple.of(Math.min(a.getDouble(0), b.getDouble(0)), Math.max(a.getDouble(1), b.getDouble(1)));
 *     }
 *     public Record result(Tuple a) { return Tuple.of(a.getDouble(1) - a.getDouble(0)); }
 * }, acc, result);                                          // (symbol, window_start, window_end, spread)
 * }</pre>
 */
public interface AggregateFunction {
    /** A new, empty accumulator (of the accumulator schema). */
    Tuple createAccumulator();

    /** {@code accumulator} with {@code record} added; {@code record} is a view valid only during the call. */
    Tuple add(Tuple accumulator, Record record) throws Exception;

    /** One accumulator holding what {@code a} and {@code b} hold ({@code a} from earlier records than {@code b}). */
    Tuple merge(Tuple a, Tuple b) throws Exception;

    /** The window's result (of the result schema) from its accumulator. */
    Record result(Tuple accumulator) throws Exception;
}
