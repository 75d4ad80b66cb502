package io.riffle.engine;

import java.time.Duration;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.engine.internal.operator.CountWindowFunctionOperator;
import io.riffle.engine.internal.operator.CountWindowOperator;
import io.riffle.engine.internal.operator.EventTimeField;
import io.riffle.engine.internal.operator.CountWindowProcessOperator;
import io.riffle.engine.internal.operator.LateOutput;
import io.riffle.engine.internal.operator.SessionWindowOperator;
import io.riffle.engine.internal.operator.WindowAggregateOperator;
import io.riffle.engine.internal.operator.WindowFold;
import io.riffle.engine.internal.operator.WindowFunctionOperator;
import io.riffle.engine.internal.operator.WindowProcessOperator;
import io.riffle.engine.internal.operator.WindowSpec;

/**
 * A keyed stream cut into event-time windows. Each aggregation emits, when the watermark passes a
 * window's end, one row per key that had records in it: {@code (key, window_start, window_end,
 * aggregates...)}, named as keyed aggregations name them ({@code sum("value")} keeps the name
 * {@code value}). Records arriving after every window they belong to has fired are dropped. Session windows
 * ({@link Windows#session}) emit the same columns, the window spanning the session's first record to its last
 * plus the gap. A count window
 * ({@link Windows#count}) emits {@code (key, aggregates...)} when its last record arrives; a sliding one
 * ({@link Windows#count(long, long)}) every {@code slide}-th record, over the key's last {@code size}.
 * {@link #process} hands a window's records, all at once, to a {@link ProcessWindowFunction}.
 *
 * <p>The results of an event-time window have its last millisecond, {@code window_end - 1}, as their event
 * time, as Flink stamps them with {@code window.maxTimestamp()}: a window, join or process function can
 * follow with no new timestamps (the stream reads event time from {@code window_end} less 1 ms, so its
 * columns stay as they are). Count windows' results have no event time.
 *
 * <pre>{@code
 * events.assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(5)))
 *       .keyBy("user").window(Windows.tumbling(Duration.ofMinutes(1))).sum("amount")
 *       .keyBy("user").window(Windows.tumbling(Duration.ofHours(1))).sum("amount")   // hourly, from the minutes
 * }</pre>
 */
public final class WindowedStream {
    /** Added to {@code window_end} to give a window's output its event time: its last millisecond. */
    static final long WINDOW_TIME_OFFSET = -1;
    private final KeyedStream keyed;
    private final Windows windows;
    /** Where the input's event time is read; null for count windows. */
    private final EventTimeField time;
    private final OutputTag lateData;
    private final long latenessMillis;

    WindowedStream(KeyedStream keyed, Windows windows, EventTimeField time, OutputTag lateData, long latenessMillis) {
        this.keyed = keyed;
        this.windows = windows;
        this.time = time;
        this.lateData = lateData;
        this.latenessMillis = latenessMillis;
    }

    /**
     * Keeps each window's state for {@code lateness} of event time after it fired: a record for it that
     * arrives in that time updates it, and the window is emitted again, for the keys updated, after the
     * batch that brought them (so a window can be emitted several times, the last result counting).
     * Only records later than that are late. On session windows a late record may also open a session or
     * merge fired ones, which are emitted (again) after the batch.
     */
    public WindowedStream allowedLateness(Duration lateness) {
        requireEventTime("allowedLateness");
        if (lateness.isNegative()) {
            throw new IllegalArgumentException("allowed lateness must not be negative: " + lateness);
        }
        return new WindowedStream(keyed, windows, time, lateData, lateness.toMillis());
    }

    /**
     * Sends the records dropped as late (every window they belong to has fired) to the side output
     * {@code tag}, read with {@link DataStream#getSideOutput} on the aggregation's result, instead of only
     * counting them.
     */
    public WindowedStream sideOutputLateData(OutputTag tag) {
        requireEventTime("sideOutputLateData");
        return new WindowedStream(keyed, windows, time, tag, latenessMillis);
    }

    public DataStream sum(String field) {
        return aggregate(Aggregate.sum(field).as(field));
    }

    public DataStream min(String field) {
        return aggregate(Aggregate.min(field).as(field));
    }

    public DataStream max(String field) {
        return aggregate(Aggregate.max(field).as(field));
    }

    /** The mean as float64. */
    public DataStream avg(String field) {
        return aggregate(Aggregate.avg(field).as(field));
    }

    /** The number of records per key and window, as {@code count}. */
    public DataStream count() {
        return aggregate(Aggregate.count().as("count"));
    }

    /**
     * Reduces each key's records of a window with {@code function}, emitting the reduced record with
     * {@code window_start} and {@code window_end} appended when the window fires (a window's results, which have
     * them already, keep their schema, with the new window's bounds). The function must return a
     * record of the input's schema and, since records are reduced as they arrive and a sliding window's panes
     * in time order, it should not depend on order (associative and commutative, as a sum or a max is).
     * Any window: tumbling, sliding, session (merged sessions' records reduced, the earlier first) and count
     * (a count window emits the reduced record alone); late records are handled as by the aggregations.
     *
     * <pre>{@code
     * trades.keyBy("symbol").window(Windows.tumbling(Duration.ofMinutes(1)))
     *       .reduce((a, b) -> a.getDouble(2) >= b.getDouble(2) ? a : b)   // the highest-priced trade a minute
     * }</pre>
     */
    public DataStream reduce(ReduceFunction function) {
        return folded("reduce", WindowFold.reducing(function, keyed.schema(), keyed.keyField()));
    }

    /**
     * Aggregates each key's records of a window with a user {@link AggregateFunction}, whose accumulators are
     * records of {@code accumulatorSchema} (checkpointed) and whose results are records of {@code resultSchema};
     * emits {@code (key, window_start, window_end, result...)} when the window fires ({@code (key, result...)}
     * for count windows). A sliding window merges its panes' accumulators, and a session the accumulators of
     * the sessions it merged, the earlier first. Calls {@code function.createAccumulator()} once now and fails if
     * the accumulator does not fit {@code accumulatorSchema}.
     */
    public DataStream aggregate(AggregateFunction function, BatchSchema accumulatorSchema, BatchSchema resultSchema) {
        String what = "aggregate(function)";
        return folded(what, WindowFold.aggregating(operatorName(what), function, accumulatorSchema, resultSchema,
                keyed.schema(), keyed.keyField()));
    }

    private String operatorName(String what) {
        return keyed.name("window(" + windows + ")." + what);
    }

    /**
     * Hands each key's records of a window, all at once, to {@code function} when the window fires, as Flink's
     * {@code process(ProcessWindowFunction)}: it is called with the key, the window ({@code [start, end)};
     * {@link TimeWindow#GLOBAL} for count windows) and the key's records in the window in arrival order, and
     * emits any number of records of {@code outputSchema} (nothing is added to them: include the key or the
     * window's bounds where wanted). Any window: tumbling, sliding, session (a session's records are those of
     * the sessions it merged, in arrival order) and count (sliding count windows included); every record is
     * kept, off-heap for time and session windows, until no window needs it, within the state budget. With
     * allowed lateness a late record fires its window again, for its key, with all the window's records so far;
     * late records go to the side output as with the other window functions.
     *
     * <pre>{@code
     * BatchSchema out = BatchSchema.of(Column.of("user", INT64), Column.of("window_end", TIMESTAMP_MS),
     *         Column.of("distinct_pages", INT64));
     * clicks.keyBy("user").window(Windows.tumbling(Duration.ofMinutes(1))).process((key, window, records, o) -> {
     *     Set<String> pages = new HashSet<>();
     *     for (Record r : records) pages.add(r.getString(1));
     *     o.collect(key, window.endInstant(), (long) pages.size());
     * }, out);
     * }</pre>
     */
    public DataStream process(ProcessWindowFunction function, BatchSchema outputSchema) {
        BatchSchema schema = keyed.schema();
        int key = keyed.keyField();
        long budget = keyed.env().stateBudgetBytes();
        String name = operatorName("process");
        if (windows.count() > 0) {
            long records = windows.count();
            long slide = windows.countSlide();
            return keyed.keyed(name, outputSchema, () -> CountWindowProcessOperator.processing(function, outputSchema,
                    schema, key, records, slide, budget));
        }
        EventTimeField time = this.time;
        long lateness = latenessMillis;
        if (windows.gapMillis() > 0) {
            long gap = windows.gapMillis();
            return withLateRecords(keyed.keyed(name, outputSchema, () -> new SessionWindowOperator(schema, key, time, gap,
                    lateness, function, outputSchema, budget, lateOutput())), schema);
        }
        WindowSpec spec = timeWindows();
        LateOutput late = lateOutput();
        return withLateRecords(keyed.keyed(name, outputSchema, () -> new WindowProcessOperator(function, schema,
                outputSchema, key, time, spec, budget, late)), schema);
    }

    /** A user function's windows: any kind. */
    private DataStream folded(String what, WindowFold fold) {
        BatchSchema schema = keyed.schema();
        int key = keyed.keyField();
        long budget = keyed.env().stateBudgetBytes();
        String name = operatorName(what);
        if (windows.count() > 0) {
            long records = windows.count();
            long slide = windows.countSlide();
            if (slide != records) {
                return keyed.keyed(name, fold.outputSchema(false),
                        () -> CountWindowProcessOperator.folding(fold, schema, key, records, slide, budget));
            }
            return keyed.keyed(name, fold.outputSchema(false),
                    () -> new CountWindowFunctionOperator(fold, schema, key, records, budget));
        }
        EventTimeField time = this.time;
        long lateness = latenessMillis;
        if (windows.gapMillis() > 0) {
            long gap = windows.gapMillis();
            return windowOutput(keyed.keyed(name, fold.outputSchema(true),
                    () -> new SessionWindowOperator(schema, key, time, gap, lateness, fold, budget, lateOutput())),
                    schema);
        }
        WindowSpec spec = timeWindows();
        LateOutput late = lateOutput();
        return windowOutput(keyed.keyed(name, fold.outputSchema(true),
                () -> new WindowFunctionOperator(fold, schema, key, time, spec, budget, late)), schema);
    }

    /** The time windows' shape with the allowed lateness: what the pane and process window operators are given. */
    private WindowSpec timeWindows() {
        return WindowSpec.sliding(windows.sizeMillis(), windows.slideMillis()).withOffset(windows.offsetMillis())
                .withAllowedLateness(latenessMillis);
    }

    /** The late records are the window's only side output: index 0, when asked for. */
    private LateOutput lateOutput() {
        return lateData != null ? LateOutput.toSideOutput(0) : LateOutput.COUNT_ONLY;
    }

    private void requireEventTime(String what) {
        if (windows.count() > 0) {
            throw new IllegalStateException(what + " is for event-time windows; a count window has no late records");
        }
    }

    /** Several aggregates at once. */
    public DataStream aggregate(Aggregate... aggregates) {
        BatchSchema schema = keyed.schema();
        int key = keyed.keyField();
        long budget = keyed.env().stateBudgetBytes();
        if (windows.count() > 0) {
            long records = windows.count();
            long slide = windows.countSlide();
            Aggregate[] copy = aggregates.clone();
            if (slide != records) {
                return keyed.keyed(keyed.name(describe(aggregates)), GroupBySpec.of(schema, key, aggregates).outputSchema(),
                        () -> CountWindowProcessOperator.aggregating(copy, schema, key, records, slide, budget));
            }
            return keyed.keyed(keyed.name(describe(aggregates)), GroupBySpec.of(schema, key, aggregates).outputSchema(),
                    () -> new CountWindowOperator(schema, key, records, copy, budget));
        }
        BatchSchema output = WindowAggregateOperator.outputSchema(GroupBySpec.of(schema, key, aggregates));
        EventTimeField time = this.time;
        Aggregate[] copy = aggregates.clone();
        long lateness = latenessMillis;
        if (windows.gapMillis() > 0) {
            long gap = windows.gapMillis();
            return windowOutput(keyed.keyed(keyed.name(describe(aggregates)), output,
                    () -> new SessionWindowOperator(schema, key, time, gap, lateness, copy, budget, lateOutput())), schema);
        }
        WindowSpec spec = timeWindows();
        LateOutput late = lateOutput();
        return windowOutput(keyed.keyed(keyed.name(describe(aggregates)), output,
                () -> new WindowAggregateOperator(schema, key, copy, time, spec, budget, late)), schema);
    }

    /**
     * An event-time window's output: the late records' side output declared if asked for, and event time
     * {@code window_end - 1}, the window's last millisecond, as Flink stamps a window's results with
     * {@code window.maxTimestamp()}; so a window of a window needs no new timestamps.
     */
    private DataStream windowOutput(DataStream result, BatchSchema schema) {
        return withLateRecords(result, schema).withEventTime("window_end", WINDOW_TIME_OFFSET);
    }

    /** {@code result} with the late records' side output declared if asked for; they keep their event time, as in Flink. */
    private DataStream withLateRecords(DataStream result, BatchSchema schema) {
        if (lateData != null) {
            result.transformation.declareSideOutput(lateData.name(), schema, time);
        }
        return result;
    }

    private String describe(Aggregate[] aggregates) {
        StringBuilder what = new StringBuilder("window(" + windows + ").aggregate(");
        for (int a = 0; a < aggregates.length; a++) {
            what.append(a == 0 ? "" : ", ").append(aggregates[a].kind());
        }
        return what.append(')').toString();
    }
}
