package io.riffle.engine;

/**
 * A window function that sees all of a window's records, Flink's {@code ProcessWindowFunction}: called once
 * per key and window when the window fires, with the key, the window and the key's records in it (in the
 * order they arrived), it emits any number of records of the output schema declared with
 * {@link WindowedStream#process}. A window fired again for a late record (allowed lateness) is passed all its
 * records so far, as in Flink. The records are views valid during the call; copy one
 * ({@link Tuple#copyOf}) to keep it.
 *
 * <pre>{@code
 * trades.keyBy("symbol").window(Windows.tumbling(Duration.ofMinutes(1)))
 *       .process((key, window, records, out) -> {
 *           List<Double> prices = new ArrayList<>();
 *           for (Record r : records) prices.add(r.getDouble(2));
 *           out.collect(key, window.endInstant(), median(prices));
 *       }, BatchSchema.of(Column.of("symbol", UTF8), Column.of("minute", TIMESTAMP_MS), Column.of("median", FLOAT64)))
 * }</pre>
 */
@FunctionalInterface
public interface ProcessWindowFunction {
    void process(Object key, TimeWindow window, Iterable<Record> records, Collector out) throws Exception;
}
