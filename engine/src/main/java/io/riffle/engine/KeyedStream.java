package io.riffle.engine;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.engine.internal.operator.EventTimeField;
import io.riffle.engine.internal.operator.GroupAggregateOperator;
import io.riffle.engine.internal.operator.IntervalJoinOperator;
import io.riffle.engine.internal.operator.JoinInput;
import io.riffle.engine.internal.operator.KeyedProcessOperator;
import io.riffle.engine.internal.operator.PartialAggregates;
import io.riffle.engine.internal.operator.ReduceOperator;
import io.riffle.engine.internal.operator.RunningAggregateOperator;
import io.riffle.engine.internal.operator.WindowJoinOperator;
import io.riffle.engine.internal.operator.WindowSpec;
import io.riffle.engine.internal.plan.Partitioning;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.engine.internal.runtime.Operator;

/**
 * A stream partitioned by a key field: each key's records go to one subtask, in order. Aggregations keep
 * their state off-heap, per key. What they emit depends on the environment's mode, as in Flink:
 * <ul>
 *   <li>streaming: after every input record, the key's running value ({@code sum}, {@code min}, {@code max},
 *   {@code avg}) in the key's FIRST record: its other fields stay those of the first record the key had,
 *   as Flink's {@code sum}/{@code min}/{@code max} keep them, not the current record's. {@code minBy} and
 *   {@code maxBy} emit the whole record holding the smallest or largest value so far. {@code count} and
 *   {@code aggregate} emit the key and the running values;</li>
 *   <li>batch: one row per key when the input ends: the key, then the aggregate (named as its field for
 *   {@code sum}, {@code min}, {@code max}, {@code avg}); {@code minBy}/{@code maxBy} the final whole record.
 *   Sums, counts, minima and maxima are pre-aggregated before the shuffle, so only one row per key and
 *   subtask crosses it.</li>
 * </ul>
 *
 * <pre>{@code
 * // (sensor, reading, ts): (3,1,20000) (3,2,21000) (3,3,20500)
 * readings.keyBy(0).sum(1);     // (3,1,20000) (3,3,20000) (3,6,20000): the first record's ts
 * readings.keyBy(0).maxBy(1);   // (3,1,20000) (3,2,21000) (3,3,20500): the record with the maximum
 * }</pre>
 */
public final class KeyedStream {
    private final DataStream input;
    private final int keyField;
    private final String verb;

    KeyedStream(DataStream input, int keyField, String verb) {
        this.input = input;
        this.keyField = keyField;
        this.verb = verb;
    }

    public DataStream sum(int field) {
        return single(Aggregate.sum(field), field);
    }

    public DataStream sum(String field) {
        return sum(schema().indexOf(field));
    }

    public DataStream min(int field) {
        return single(Aggregate.min(field), field);
    }

    public DataStream min(String field) {
        return min(schema().indexOf(field));
    }

    public DataStream max(int field) {
        return single(Aggregate.max(field), field);
    }

    public DataStream max(String field) {
        return max(schema().indexOf(field));
    }

    /** The record with the smallest value of {@code field} so far (of the earliest such on a tie); see the class comment. */
    public DataStream minBy(int field) {
        return minBy(field, true);
    }

    public DataStream minBy(String field) {
        return minBy(schema().indexOf(field));
    }

    /** As {@link #minBy(int)}; on a tie the earliest record when {@code first}, else the latest. */
    public DataStream minBy(int field, boolean first) {
        return extremeRecord("minBy", field, true, first);
    }

    public DataStream minBy(String field, boolean first) {
        return minBy(schema().indexOf(field), first);
    }

    /** The record with the largest value of {@code field} so far (of the earliest such on a tie); see the class comment. */
    public DataStream maxBy(int field) {
        return maxBy(field, true);
    }

    public DataStream maxBy(String field) {
        return maxBy(schema().indexOf(field));
    }

    /** As {@link #maxBy(int)}; on a tie the earliest record when {@code first}, else the latest. */
    public DataStream maxBy(int field, boolean first) {
        return extremeRecord("maxBy", field, false, first);
    }

    public DataStream maxBy(String field, boolean first) {
        return maxBy(schema().indexOf(field), first);
    }

    /** The mean as float64. */
    public DataStream avg(int field) {
        return single(Aggregate.avg(field), field);
    }

    public DataStream avg(String field) {
        return avg(schema().indexOf(field));
    }

    /** The number of records per key: {@code (key, count)}. */
    public DataStream count() {
        return aggregate(Aggregate.count());
    }

    /** Several aggregates at once: {@code (key, aggregate...)}. */
    public DataStream aggregate(Aggregate... aggregates) {
        GroupBySpec spec = GroupBySpec.of(schema(), keyField, aggregates);
        String name = name(describe(aggregates));
        if (env().mode() == Environment.Mode.STREAMING) {
            long budget = env().stateBudgetBytes();
            return keyed(name, spec.outputSchema(), () -> RunningAggregateOperator.keyAndAggregates(spec, budget));
        }
        return groupAggregate(name, spec, aggregates);
    }

    /** Windows of {@code records} records per key: {@code window(Windows.count(records))}. */
    public WindowedStream countWindow(long records) {
        return window(Windows.count(records));
    }

    /**
     * Sliding windows of a key's last {@code size} records, fired by every {@code slide}-th record:
     * {@code window(Windows.count(size, slide))}, Flink's {@code countWindow(size, slide)}.
     */
    public WindowedStream countWindow(long size, long slide) {
        return window(Windows.count(size, slide));
    }

    /**
     * Groups each key's records into windows; event-time windows need event time upstream
     * ({@link DataStream#assignTimestampsAndWatermarks}, or a window's results, whose event time is their
     * {@code window_end - 1}), with its field still there.
     */
    public WindowedStream window(Windows windows) {
        if (windows.count() > 0) {
            return new WindowedStream(this, windows, null, null, 0);
        }
        if (input.eventTimeField == null) {
            throw new IllegalArgumentException(verb + "(" + schema().column(keyField).name() + ").window(" + windows
                    + ") needs event time: call assignTimestampsAndWatermarks(...) first (after any map or select"
                    + " that drops the timestamp field)");
        }
        return new WindowedStream(this, windows, input.eventTime(), null, 0);
    }

    /**
     * The event-time interval join of this stream (left) with {@code right} on their keys: a left record
     * {@code l} and a right record {@code r} with equal keys make one record when
     * {@code l.time + lower <= r.time <= l.time + upper} (both bounds inclusive, {@code lower} may be negative;
     * for exclusive bounds see {@link #intervalJoin(KeyedStream, JoinInterval)}). Keys compare by value: an
     * int32 key joins an int64 key. Fields: the left ones, the right ones but the key (a name taken already
     * gets a {@code right_} prefix), then {@code join_time}, the later of the two times, which is the
     * result's event time (a window can follow at once). Both inputs need event time
     * ({@link DataStream#assignTimestampsAndWatermarks}); a pair is emitted as soon as its second record
     * arrives. The pairs are Flink's whatever the order of records and watermarks (the watermark is the lower
     * of the two inputs'): a record behind the watermark ({@code time < watermark}) is late, dropped and
     * counted, one at the watermark still joins; a left record is forgotten once the watermark reaches
     * {@code time + max(upper, 0)} and a right one at {@code time + max(-lower, 0)} (Flink's clean-up timers),
     * so a record arriving later at the watermark no longer finds it, but a record that arrives after the
     * watermark reached its own clean-up time is kept until the next watermark. Keys must not be null.
     *
     * <pre>{@code
     * // each click with the impressions of its ad in the 10 minutes before it
     * clicks.keyBy("ad").intervalJoin(impressions.keyBy("ad"), Duration.ofMinutes(-10), Duration.ZERO)
     * }</pre>
     */
    public DataStream intervalJoin(KeyedStream right, Duration lower, Duration upper) {
        return intervalJoin(right, JoinInterval.between(lower, upper));
    }

    /**
     * The interval join of {@link #intervalJoin(KeyedStream, Duration, Duration)} with the bounds of
     * {@code interval}, each inclusive or exclusive (Flink's {@code lowerBoundExclusive()} and
     * {@code upperBoundExclusive()}). An exclusive bound is the inclusive one a millisecond inside, for
     * matching and for how long records are kept alike; an interval that holds no millisecond is refused.
     *
     * <pre>{@code
     * clicks.keyBy("ad").intervalJoin(impressions.keyBy("ad"),
     *         JoinInterval.between(Duration.ofMinutes(-10), Duration.ZERO).upperBoundExclusive())
     * }</pre>
     */
    public DataStream intervalJoin(KeyedStream right, JoinInterval interval) {
        String name = name("intervalJoin(" + right.schema().column(right.keyField).name() + ", " + interval + ")");
        EventTimeField[] time = eventTimes(right, name);
        long lo = interval.lower().toMillis();
        long hi = interval.upper().toMillis();
        if (lo > hi) {
            throw new IllegalArgumentException(name + ": the lower bound " + interval.lower()
                    + " is above the upper bound " + interval.upper());
        }
        if (interval.holdsNoMillisecond()) {
            throw new IllegalArgumentException(name + ": the interval holds no millisecond, so nothing would ever"
                    + " join; make a bound inclusive or widen the interval");
        }
        long first = interval.firstMillis();
        long last = interval.lastMillis();
        BatchSchema leftSchema = schema();
        BatchSchema rightSchema = right.schema();
        int l = keyField;
        int r = right.keyField;
        long budget = env().stateBudgetBytes();
        BatchSchema output = IntervalJoinOperator.outputSchema(leftSchema, rightSchema, r);
        DataStream joined = input.twoInput(name, right.input, l, r, output, () -> new IntervalJoinOperator(
                new JoinInput(leftSchema, l, time[0]), new JoinInput(rightSchema, r, time[1]), first, last, budget));
        return new DataStream(env(), joined.transformation, output.column(output.columnCount() - 1).name());
    }

    /**
     * The event-time window join of this stream (left) with {@code right} on their keys: a left and a right
     * record with equal keys in the same window (tumbling or sliding, {@link Windows}) make one record,
     * emitted when the watermark reaches the window's last millisecond ({@code window_end - 1}). Keys compare
     * by value (an int32 key joins an int64 key). Fields: the left ones, the right ones but the key
     * (a name taken already gets a {@code right_} prefix), then {@code window_start} and {@code window_end}; a
     * pair's event time is {@code window_end - 1}, as in Flink. Both inputs need event time; a record whose
     * every window has fired ({@code window_end - 1 <= watermark} for each, as Flink's window join, a coGroup
     * on windows with no allowed lateness) is late: dropped and counted. With a slide longer than the size, a
     * record between windows pairs with nothing (late only when behind the watermark).
     *
     * <pre>{@code
     * orders.keyBy("customer").windowJoin(payments.keyBy("customer"), Windows.tumbling(Duration.ofMinutes(1)))
     * }</pre>
     */
    public DataStream windowJoin(KeyedStream right, Windows windows) {
        String name = name("windowJoin(" + right.schema().column(right.keyField).name() + ", " + windows + ")");
        if (windows.count() > 0) {
            throw new IllegalArgumentException(name + ": a window join needs event-time windows, not count windows");
        }
        if (windows.offsetMillis() != 0) {
            throw new IllegalArgumentException(name + ": a window join takes windows aligned to the epoch; shift the"
                    + " records' times by the offset instead");
        }
        EventTimeField[] time = eventTimes(right, name);
        BatchSchema leftSchema = schema();
        BatchSchema rightSchema = right.schema();
        int l = keyField;
        int r = right.keyField;
        WindowSpec spec = WindowSpec.sliding(windows.sizeMillis(), windows.slideMillis());
        long budget = env().stateBudgetBytes();
        BatchSchema output = WindowJoinOperator.outputSchema(leftSchema, rightSchema, r);
        DataStream joined = input.twoInput(name, right.input, l, r, output, () -> new WindowJoinOperator(
                new JoinInput(leftSchema, l, time[0]), new JoinInput(rightSchema, r, time[1]), spec, budget));
        return joined.withEventTime(output.column(output.columnCount() - 1).name(), WindowedStream.WINDOW_TIME_OFFSET);
    }

    /** The two inputs' event-time fields, after checking the keys can be joined; fails naming {@code name}. */
    private EventTimeField[] eventTimes(KeyedStream right, String name) {
        if (right.env() != env()) {
            throw new IllegalArgumentException(name + ": cannot join streams of different environments");
        }
        DataStream.checkJoinKeys(name + ":", schema(), keyField, right.schema(), right.keyField);
        if (input.eventTimeField == null || right.input.eventTimeField == null) {
            throw new IllegalArgumentException(name + " needs event time on both inputs, but the "
                    + (input.eventTimeField == null ? "left" : "right") + " one has none: call"
                    + " assignTimestampsAndWatermarks(...) on it first (after any map or select that drops the"
                    + " timestamp field)");
        }
        return new EventTimeField[] {input.eventTime(), right.input.eventTime()};
    }

    /** Combines each key's records pairwise with {@code function}; see the class comment for what is emitted. */
    public DataStream reduce(ReduceFunction function) {
        BatchSchema schema = schema();
        boolean running = env().mode() == Environment.Mode.STREAMING;
        long budget = env().stateBudgetBytes();
        int key = keyField;
        return keyed(name("reduce"), schema, () -> new ReduceOperator(function, schema, key, running, budget));
    }

    /**
     * Runs {@code function} on each record with its key's state and timers (see {@link KeyedProcessFunction});
     * it emits records of {@code outputSchema} and keeps no state.
     */
    public DataStream process(KeyedProcessFunction function, BatchSchema outputSchema) {
        return process(function, outputSchema, null);
    }

    /**
     * Runs {@code function} on each record with its key's state (a record of {@code stateSchema}, checkpointed)
     * and timers; it emits records of {@code outputSchema}. Event-time timers need event time upstream.
     */
    public DataStream process(KeyedProcessFunction function, BatchSchema outputSchema, BatchSchema stateSchema) {
        BatchSchema schema = schema();
        int key = keyField;
        EventTimeField time = input.eventTime();
        long budget = env().stateBudgetBytes();
        Transformation t = env().graph().keyed(name("process"), input.transformation, keyField, outputSchema,
                () -> new KeyedProcessOperator(function, schema, key, time, outputSchema, stateSchema, budget));
        return input.keepsEventTime(outputSchema) ? new DataStream(env(), t, input.eventTimeField, input.eventTimeOffset)
                : new DataStream(env(), t);
    }

    /** A reduce keeping each key's record with the extreme value of {@code field}: streaming emits it per record. */
    private DataStream extremeRecord(String verbName, int field, boolean min, boolean first) {
        BatchSchema schema = schema();
        ColumnType type = schema.column(schema.checkIndex(field)).type();
        String name = name(verbName + "(" + schema.column(field).name() + (first ? "" : ", last") + ")");
        ExtremeRecord function = new ExtremeRecord(field, type, min, first);
        boolean running = env().mode() == Environment.Mode.STREAMING;
        long budget = env().stateBudgetBytes();
        int key = keyField;
        return keyed(name, schema, () -> new ReduceOperator(function, schema, key, running, budget));
    }

    private DataStream single(Aggregate aggregate, int field) {
        BatchSchema schema = schema();
        String fieldName = schema.column(schema.checkIndex(field)).name();
        Aggregate named = aggregate.as(fieldName);
        GroupBySpec spec = GroupBySpec.of(schema, keyField, named);
        String name = name(aggregate.kind() + "(" + fieldName + ")");
        if (env().mode() == Environment.Mode.STREAMING) {
            long budget = env().stateBudgetBytes();
            return keyed(name, RunningAggregateOperator.replacedSchema(spec, field),
                    () -> RunningAggregateOperator.replacing(spec, field, budget));
        }
        return groupAggregate(name, spec, named);
    }

    /**
     * Batch aggregation. When every aggregate can be combined from partial results, a partial aggregation
     * runs chained after the input and the final one merges the partials after the shuffle.
     */
    private DataStream groupAggregate(String name, GroupBySpec spec, Aggregate... aggregates) {
        long budget = env().stateBudgetBytes();
        Aggregate[] merge = new Aggregate[aggregates.length];
        BatchSchema partialSchema = spec.outputSchema();
        for (int a = 0; a < aggregates.length; a++) {
            Aggregate merging = PartialAggregates.merging(aggregates[a].kind(), a + 1);
            if (merging == null) {
                return keyed(name, spec.outputSchema(), () -> new GroupAggregateOperator(spec, budget));
            }
            merge[a] = merging.as(partialSchema.column(a + 1).name());
        }
        DataStream partial = input.oneInput(name + " (partial)", partialSchema,
                () -> new GroupAggregateOperator(spec, budget));
        GroupBySpec finalSpec = GroupBySpec.of(partialSchema, 0, merge);
        Transformation t = Transformation.operator(env().nextId(), name, List.of(partial.transformation),
                Partitioning.HASH, 0, finalSpec.outputSchema(), () -> new GroupAggregateOperator(finalSpec, budget),
                Transformation.DEFAULT_PARALLELISM);
        return new DataStream(env(), t);
    }

    DataStream keyed(String name, BatchSchema outputSchema, Supplier<Operator> operator) {
        return new DataStream(env(), env().graph().keyed(name, input.transformation, keyField, outputSchema, operator));
    }

    String name(String what) {
        return verb + "(" + schema().column(keyField).name() + ")." + what;
    }

    private static String describe(Aggregate[] aggregates) {
        StringBuilder sb = new StringBuilder("aggregate(");
        for (int a = 0; a < aggregates.length; a++) {
            sb.append(a == 0 ? "" : ", ").append(aggregates[a].kind());
        }
        return sb.append(')').toString();
    }

    BatchSchema schema() {
        return input.schema();
    }

    int keyField() {
        return keyField;
    }

    Environment env() {
        return input.env;
    }
}
