package io.riffle.engine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.file.ArrowIpcSink;
import io.riffle.engine.connector.file.CsvFormat;
import io.riffle.engine.connector.file.CsvSink;
import io.riffle.engine.expr.Expr;
import io.riffle.engine.internal.connector.CallbackSink;
import io.riffle.engine.internal.connector.CollectSink;
import io.riffle.engine.internal.connector.PrintSink;
import io.riffle.engine.internal.operator.EventTimeField;
import io.riffle.engine.internal.operator.ExprFilterOperator;
import io.riffle.engine.internal.operator.FilterOperator;
import io.riffle.engine.internal.operator.HashJoinOperator;
import io.riffle.engine.internal.operator.MapOperator;
import io.riffle.engine.internal.operator.ProjectOperator;
import io.riffle.engine.internal.operator.WatermarkAssignerOperator;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.engine.internal.runtime.Operator;

/**
 * A stream of records with a known schema. Operations return new streams and are checked when they are
 * called (a wrong field name or type fails here, not when the job runs); nothing runs until
 * {@link Environment#execute()}. Row-level functions ({@code map}, {@code filter}, {@code flatMap})
 * see one record at a time; keyed aggregations and the column path work a batch at a time.
 *
 * <pre>{@code
 * env.fromElements(Tuple.of("apple", 1), Tuple.of("banana", 2))
 *    .filter(r -> r.getInt(1) > 1)
 *    .keyBy(0).sum(1)
 *    .print();
 * }</pre>
 */
public final class DataStream {
    final Environment env;
    final Transformation transformation;
    /**
     * The field event time is read from, while the stream still has it: the timestamp field watermarks were
     * assigned from, or the {@code window_end} of a window's output (or the {@code join_time} of an interval
     * join's); else null.
     */
    final String eventTimeField;
    /**
     * Added to {@link #eventTimeField}'s value to give the event time: -1 on a window's output, whose event time
     * is the window's last millisecond, {@code window_end - 1}, as in Flink; else 0.
     */
    final long eventTimeOffset;

    DataStream(Environment env, Transformation transformation) {
        this(env, transformation, null, 0);
    }

    DataStream(Environment env, Transformation transformation, String eventTimeField) {
        this(env, transformation, eventTimeField, 0);
    }

    DataStream(Environment env, Transformation transformation, String eventTimeField, long eventTimeOffset) {
        this.env = env;
        this.transformation = transformation;
        this.eventTimeField = eventTimeField;
        this.eventTimeOffset = eventTimeOffset;
    }

    /** The schema of this stream's records. */
    public BatchSchema schema() {
        return transformation.schema();
    }

    /**
     * Runs the operation that made this stream at {@code parallelism} subtasks (default: the environment's
     * for sources and keyed operations, the input's for the rest, so that they chain).
     */
    public DataStream setParallelism(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
        if (transformation.kind() == Transformation.Kind.SOURCE && parallelism > transformation.source().maxParallelism()) {
            throw new IllegalArgumentException("source '" + transformation.name() + "' can run at a parallelism of at most "
                    + transformation.source().maxParallelism() + ", not " + parallelism);
        }
        transformation.setParallelism(parallelism);
        return this;
    }

    // ---- row-level functions

    /** One output record per input record, of this stream's schema. */
    public DataStream map(MapFunction function) {
        return map(function, schema());
    }

    /** One output record per input record, of {@code outputSchema}. */
    public DataStream map(MapFunction function, BatchSchema outputSchema) {
        return oneInput("map", outputSchema, () -> MapOperator.map(function, outputSchema));
    }

    /** Any number of output records per input record, of {@code outputSchema}. */
    public DataStream flatMap(FlatMapFunction function, BatchSchema outputSchema) {
        return oneInput("flatMap", outputSchema, () -> MapOperator.flatMap(function, outputSchema));
    }

    /** The records {@code predicate} accepts. */
    public DataStream filter(FilterFunction predicate) {
        return oneInput("filter", schema(), () -> new FilterOperator(predicate));
    }

    // ---- column expressions: the vectorized path

    /**
     * One output column per expression, computed a batch at a time by the columnar kernels. A bare field
     * keeps its name, an aliased expression takes its alias, any other is named by its text.
     *
     * <pre>{@code
     * orders.select(col("id"), col("price").times(col("qty")).as("total"))
     * }</pre>
     */
    public DataStream select(Expr... columns) {
        List<Expr> exprs = List.of(columns);
        BatchSchema input = schema();
        BatchSchema output = new ProjectOperator(input, exprs).outputSchema();
        return oneInput("select" + exprs.toString().replace('[', '(').replace(']', ')'), output,
                () -> new ProjectOperator(input, exprs));
    }

    /**
     * The records where {@code predicate} is true (not false, not null), selected a batch at a time by the
     * columnar kernels: {@code where(col("qty").le(5).and(col("word").ne("apple")))}.
     */
    public DataStream where(Expr predicate) {
        BatchSchema input = schema();
        new ExprFilterOperator(input, predicate);
        return oneInput("where(" + predicate + ")", input, () -> new ExprFilterOperator(input, predicate));
    }

    // ---- event time

    /**
     * Reads event time from {@code strategy}'s timestamp field and emits watermarks after each batch that
     * raises them, or after each record that raises them or that the strategy marks (see
     * {@link WatermarkStrategy}); records pass unchanged. Runs with its input's parallelism.
     */
    public DataStream assignTimestampsAndWatermarks(WatermarkStrategy strategy) {
        BatchSchema schema = schema();
        int field = checkTimeField(strategy.field(), "timestamp");
        long outOfOrderness = strategy.outOfOrderness().toMillis();
        long idleNanos = strategy.idleness().toNanos();
        Supplier<Operator> operator = switch (strategy.emission()) {
            case PER_BATCH -> () -> WatermarkAssignerOperator.perBatch(schema, field, outOfOrderness, idleNanos);
            case PER_RECORD -> () -> WatermarkAssignerOperator.perRecord(schema, field, outOfOrderness, idleNanos);
            case PUNCTUATED_BY_PREDICATE -> {
                Expr marker = strategy.marker();
                WatermarkAssignerOperator.punctuatedBy(schema, field, outOfOrderness, idleNanos, marker);
                yield () -> WatermarkAssignerOperator.punctuatedBy(schema, field, outOfOrderness, idleNanos, marker);
            }
            case PUNCTUATED_BY_FIELD -> {
                int watermarkField = checkTimeField(strategy.watermarkField(), "watermark");
                yield () -> WatermarkAssignerOperator.punctuatedByField(schema, field, watermarkField, idleNanos);
            }
        };
        DataStream assigned = oneInput(strategy.toString(), schema, operator);
        return new DataStream(env, assigned.transformation, strategy.field());
    }

    /** The index of {@code name}, which must hold epoch milliseconds; {@code what} names its role in errors. */
    private int checkTimeField(String name, String what) {
        return checkTimeField(schema(), name, what);
    }

    /** The index of {@code name} in {@code schema}, which must hold epoch milliseconds; {@code what} names its role. */
    static int checkTimeField(BatchSchema schema, String name, String what) {
        int field = schema.indexOf(name);
        ColumnType type = schema.column(field).type();
        if (type != ColumnType.TIMESTAMP_MS && type != ColumnType.INT64) {
            throw new IllegalArgumentException(what + " field '" + name + "' is " + type
                    + ": event time needs a timestamp[ms] or int64 (epoch milliseconds) field");
        }
        return field;
    }

    // ---- partitioning

    /** Partitions by the key field at {@code field}, for keyed aggregations. */
    public KeyedStream keyBy(int field) {
        return new KeyedStream(this, checkKey(schema().checkIndex(field), "keyBy"), "keyBy");
    }

    /** Partitions by the key field named {@code field}, for keyed aggregations. */
    public KeyedStream keyBy(String field) {
        return new KeyedStream(this, checkKey(schema().indexOf(field), "keyBy"), "keyBy");
    }

    /** The same as {@link #keyBy(int)}, named as in batch programs. */
    public KeyedStream groupBy(int field) {
        return new KeyedStream(this, checkKey(schema().checkIndex(field), "groupBy"), "groupBy");
    }

    /** The same as {@link #keyBy(String)}, named as in batch programs. */
    public KeyedStream groupBy(String field) {
        return new KeyedStream(this, checkKey(schema().indexOf(field), "groupBy"), "groupBy");
    }

    /** Spreads whole batches round robin over the next operator's subtasks (to even out skew). */
    public DataStream rebalance() {
        return new DataStream(env, env.graph().rebalance(transformation), eventTimeField, eventTimeOffset);
    }

    /** The records of this stream and of {@code others}, which must have the same schema. */
    public DataStream union(DataStream... others) {
        List<Transformation> inputs = new ArrayList<>();
        inputs.add(transformation);
        String eventTime = eventTimeField;
        for (DataStream o : others) {
            if (eventTime != null && (!eventTime.equals(o.eventTimeField) || eventTimeOffset != o.eventTimeOffset)) {
                eventTime = null;
            }
            if (o.env != env) {
                throw new IllegalArgumentException("cannot union streams of different environments");
            }
            if (!o.schema().equals(schema())) {
                throw new IllegalArgumentException("union needs equal schemas: " + schema() + " and " + o.schema());
            }
            inputs.add(o.transformation);
        }
        return new DataStream(env, env.graph().union(inputs), eventTime, eventTimeOffset);
    }

    /**
     * The side output {@code tag} of the operator that made this stream (see
     * {@link WindowedStream#sideOutputLateData}); it runs with that operator's parallelism. Late records keep their
     * event time, so they can be windowed again, as in Flink.
     */
    public DataStream getSideOutput(OutputTag tag) {
        int index = transformation.sideOutputIndex(tag.name());
        if (index < 0) {
            throw new IllegalArgumentException("operator '" + transformation.name() + "' has no side output '" + tag
                    + "'");
        }
        Transformation side = env.graph().sideOutput(transformation, index);
        EventTimeField time = transformation.sideEventTime(index);
        return time == null ? new DataStream(env, side)
                : new DataStream(env, side, side.schema().column(time.index()).name(), time.offsetMillis());
    }

    // ---- joins (batch)

    /**
     * The inner hash join of this data set with {@code right} on {@code leftKey = rightKey}: one record per
     * matching pair, this side's fields then {@code right}'s but its key (a name taken already gets a
     * {@code right_} prefix). {@code right} is the build side (the smaller one, e.g. customers for orders);
     * both sides are partitioned by their key. Keys compare by value: an int32 key joins an int64 key, an
     * int64 key a timestamp[ms] one. Batch jobs only; null keys never match.
     */
    public DataStream join(DataStream right, String leftKey, String rightKey) {
        return hashJoin(right, leftKey, rightKey, false, false);
    }

    /** Like {@link #join}, keeping this side's records that match nothing, with {@code right}'s fields null. */
    public DataStream leftOuterJoin(DataStream right, String leftKey, String rightKey) {
        return hashJoin(right, leftKey, rightKey, true, false);
    }

    /**
     * Like {@link #join}, for a {@code right} side small enough for every subtask to hold: it is sent whole
     * to every subtask of the join, and this side's records stay where they are instead of being shuffled
     * by key (Spark's broadcast hash join, Hadoop's map-side join).
     *
     * <pre>{@code
     * orders.broadcastJoin(customers, "customer", "id").groupBy("customer").sum("amount");
     * }</pre>
     */
    public DataStream broadcastJoin(DataStream right, String leftKey, String rightKey) {
        return hashJoin(right, leftKey, rightKey, false, true);
    }

    /** Like {@link #broadcastJoin}, keeping this side's records that match nothing, with {@code right}'s fields null. */
    public DataStream broadcastLeftOuterJoin(DataStream right, String leftKey, String rightKey) {
        return hashJoin(right, leftKey, rightKey, true, true);
    }

    private DataStream hashJoin(DataStream right, String leftKey, String rightKey, boolean leftOuter,
                                boolean broadcast) {
        String verb = broadcast ? (leftOuter ? "broadcastLeftOuterJoin" : "broadcastJoin")
                : (leftOuter ? "leftOuterJoin" : "join");
        if (env.mode() != Environment.Mode.BATCH) {
            throw new IllegalStateException(verb + "(...) is a batch hash join; streaming jobs join by event time:"
                    + " keyBy(...).intervalJoin(...) or keyBy(...).windowJoin(...)");
        }
        BatchSchema leftSchema = schema();
        BatchSchema rightSchema = right.schema();
        int l = leftSchema.indexOf(leftKey);
        int r = rightSchema.indexOf(rightKey);
        checkJoinKeys(verb, leftSchema, l, rightSchema, r);
        long budget = env.stateBudgetBytes();
        BatchSchema output = HashJoinOperator.outputSchema(leftSchema, rightSchema, r, leftOuter);
        Supplier<Operator> operator = () -> new HashJoinOperator(leftSchema, rightSchema, l, r, leftOuter, budget);
        String name = verb + "(" + leftKey + " = " + rightKey + ")";
        if (!broadcast) {
            return twoInput(name, right, l, r, output, operator);
        }
        checkSameEnvironment(right);
        return new DataStream(env, env.graph().broadcastTwoInput(name, transformation, right.transformation, l, r,
                output, operator));
    }

    /**
     * Fails unless the two key fields can be joined: both utf8, or both integers, compared by value (an int32
     * key is widened to int64, as Flink SQL casts INT to BIGINT; an int64 key joins a timestamp[ms] key as
     * epoch milliseconds). An int32 never joins a timestamp[ms], whose values are epoch milliseconds.
     */
    static void checkJoinKeys(String verb, BatchSchema leftSchema, int l, BatchSchema rightSchema, int r) {
        ColumnType lt = leftSchema.column(l).type();
        ColumnType rt = rightSchema.column(r).type();
        boolean integers = lt.isIntegral() && rt.isIntegral()
                && !(lt == ColumnType.INT32 && rt == ColumnType.TIMESTAMP_MS)
                && !(lt == ColumnType.TIMESTAMP_MS && rt == ColumnType.INT32);
        if (!integers && !(lt == ColumnType.UTF8 && rt == ColumnType.UTF8)) {
            throw new IllegalArgumentException(verb + " keys cannot be compared: '" + leftSchema.column(l).name()
                    + "' is " + lt + ", '" + rightSchema.column(r).name() + "' is " + rt + "; keys join when both are"
                    + " utf8 or both are integers (int32 and int64 by value, int64 and timestamp[ms] as epoch"
                    + " milliseconds)");
        }
    }

    // ---- sinks

    /** Prints each record as {@code (v0,v1,...)} to the environment's print stream (default {@code System.out}). */
    public void print() {
        print(env.printStream());
    }

    /** Prints each record as {@code (v0,v1,...)} to {@code out}. */
    public void print(PrintStream out) {
        addSink(new PrintSink(out));
    }

    /** Adds every record, as a {@link Tuple}, to {@code target} when the job runs (thread-safe under its lock). */
    public void collect(List<Tuple> target) {
        addSink(new CollectSink(target));
    }

    /** Runs the job (with any other sinks defined) and returns this stream's records. */
    public List<Tuple> executeAndCollect() {
        List<Tuple> result = new ArrayList<>();
        collect(result);
        env.execute();
        return result;
    }

    /** Hands every result batch to {@code consumer} (valid during the call only), from the sink's threads. */
    public void forEachBatch(BatchConsumer consumer) {
        addSink(new CallbackSink(consumer));
    }

    /**
     * Writes the records to one CSV file with a header line, at parallelism 1; the file appears complete
     * (written to a temporary file, synced and renamed) when the job finishes. For one file per subtask use
     * {@code addSink(CsvSink.partitioned(directory))}.
     */
    public void writeCsv(Path file) {
        addSink(new CsvSink(file));
    }

    /** Like {@link #writeCsv(Path)} with another delimiter, quote or no header line. */
    public void writeCsv(Path file, CsvFormat format) {
        addSink(new CsvSink(file, format));
    }

    /**
     * Writes the records to one Arrow IPC file, one record batch per batch, at parallelism 1; complete
     * when the job finishes. For one file per subtask use {@code addSink(ArrowIpcSink.partitioned(directory))}.
     */
    public void writeArrow(Path file) {
        addSink(new ArrowIpcSink(file));
    }

    /** Writes the records to {@code sink}. */
    public void addSink(Sink sink) {
        sink.checkSchema(schema());
        env.graph().addSink(sink, transformation);
    }

    // ---- for KeyedStream and the column path

    DataStream oneInput(String name, BatchSchema outputSchema, Supplier<Operator> operator) {
        Transformation t = env.graph().forward(name, transformation, outputSchema, operator);
        return keepsEventTime(outputSchema) ? new DataStream(env, t, eventTimeField, eventTimeOffset)
                : new DataStream(env, t);
    }

    /** This stream with its event time read from {@code field} plus {@code offset} (ms). */
    DataStream withEventTime(String field, long offset) {
        return new DataStream(env, transformation, field, offset);
    }

    /** Where operators read this stream's event time; null when it has none. */
    EventTimeField eventTime() {
        return eventTimeField == null ? null : new EventTimeField(schema().indexOf(eventTimeField), eventTimeOffset);
    }

    /**
     * An operator of this stream (input 0) and {@code right} (input 1), each hash partitioned by its key
     * field so that equal keys meet in one subtask.
     */
    DataStream twoInput(String name, DataStream right, int leftKey, int rightKey, BatchSchema outputSchema,
                        Supplier<Operator> operator) {
        checkSameEnvironment(right);
        return new DataStream(env, env.graph().twoInput(name, transformation, right.transformation, leftKey, rightKey,
                outputSchema, operator));
    }

    private void checkSameEnvironment(DataStream other) {
        if (other.env != env) {
            throw new IllegalArgumentException("cannot combine streams of different environments");
        }
    }

    /** Whether {@code outputSchema} still has the timestamp field, by name and type. */
    boolean keepsEventTime(BatchSchema outputSchema) {
        if (eventTimeField == null) {
            return false;
        }
        for (int c = 0; c < outputSchema.columnCount(); c++) {
            if (outputSchema.column(c).name().equals(eventTimeField)) {
                return outputSchema.column(c).type() == schema().column(schema().indexOf(eventTimeField)).type();
            }
        }
        return false;
    }

    private int checkKey(int field, String op) {
        ColumnType type = schema().column(field).type();
        if (!(type.isIntegral() || type == ColumnType.UTF8)) {
            throw new IllegalArgumentException(op + "(" + schema().column(field).name() + "): key "
                    + schema().describe(field) + " must be int32, int64, timestamp[ms] or utf8");
        }
        return field;
    }
}
