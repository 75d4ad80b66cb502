package io.riffle.baselines.differential;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;

import io.riffle.baselines.differential.DifferentialCase.Watermarks;
import io.riffle.baselines.differential.Events.Event;
import io.riffle.baselines.differential.Events.KeyType;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.aggregation.AggregationFunction.AggregationType;
import org.apache.flink.streaming.api.functions.aggregation.ComparableAggregator;
import org.apache.flink.streaming.api.functions.aggregation.SumAggregator;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * A case's inputs on Flink and where its outputs go. Each input is {@code fromData} at parallelism 1, in the
 * generated order, as {@code Tuple4<Object, Long, Double, Long>} (key, value, price, time); in streaming cases
 * its watermarks come from {@link RiffleWatermarks}, Riffle's rule made per record: after every {@code batch
 * size} records (every record for a case with {@code perRecord()} watermarks, whatever the batch size) and after
 * the last, {@code highest - BOUND_MS - 1}, or from {@link PunctuatedWatermarks} or {@link CarriedWatermarks}
 * after the marked records, so
 * both engines see the same watermarks after the same records, and late records are the same records. The keyed
 * operators run at the trial's parallelism; with one source subtask each of their subtasks reads one channel in
 * order, so the interleaving of records and watermarks is fixed.
 */
final class FlinkSide {
    private final StreamExecutionEnvironment env;
    private final TypeInformation<Object> keyType;
    private final TypeInformation<Tuple4<Object, Long, Double, Long>> eventType;
    private final List<DataStream<Tuple4<Object, Long, Double, Long>>> inputs = new ArrayList<>();
    private final String runId = UUID.randomUUID().toString();

    @SuppressWarnings("unchecked")
    FlinkSide(FlinkCluster cluster, Trial trial, List<List<Event>> inputs) {
        boolean streaming = trial.differentialCase().inputs().streaming;
        this.env = cluster.environment();
        env.setParallelism(trial.parallelism());
        env.setRuntimeMode(streaming ? RuntimeExecutionMode.STREAMING : RuntimeExecutionMode.BATCH);
        KeyType keys = KeyType.of(trial.seed());
        this.keyType = (TypeInformation<Object>) (TypeInformation<?>) switch (keys) {
            case INT32 -> Types.INT;
            case INT64 -> Types.LONG;
            case UTF8 -> Types.STRING;
        };
        this.eventType = new TupleTypeInfo<>(keyType, Types.LONG, Types.DOUBLE, Types.LONG);
        Watermarks watermarks = trial.differentialCase().watermarks();
        int batch = watermarks == Watermarks.PER_RECORD ? 1
                : trial.batchSize() > 0 ? trial.batchSize() : Integer.MAX_VALUE;
        for (List<Event> events : inputs) {
            List<Tuple4<Object, Long, Double, Long>> rows = new ArrayList<>(events.size());
            for (Event e : events) {
                rows.add(event(e.key(), e.value(), e.price(), e.ts()));
            }
            DataStream<Tuple4<Object, Long, Double, Long>> input = env.fromData(rows, eventType).setParallelism(1);
            this.inputs.add(streaming ? input.assignTimestampsAndWatermarks(
                    WatermarkStrategy.<Tuple4<Object, Long, Double, Long>>forGenerator(
                                    context -> switch (watermarks) {
                                        case PUNCTUATED -> new PunctuatedWatermarks();
                                        case CARRIED -> new CarriedWatermarks();
                                        case PER_BATCH, PER_RECORD -> new RiffleWatermarks(batch, rows.size());
                                    })
                            .withTimestampAssigner((e, previous) -> e.f3)).setParallelism(1) : input);
        }
    }

    /** An event on Flink's side: {@code (k, v, x, ts)}, the key an Integer, Long or String (the trial's key type). */
    static Tuple4<Object, Long, Double, Long> event(Object key, long value, double price, long ts) {
        return Tuple4.of(key, value, price, ts);
    }

    StreamExecutionEnvironment env() {
        return env;
    }

    TypeInformation<Object> keyType() {
        return keyType;
    }

    /** The type of the inputs' records, for a map that keeps it. */
    TypeInformation<Tuple4<Object, Long, Double, Long>> eventType() {
        return eventType;
    }

    DataStream<Tuple4<Object, Long, Double, Long>> events() {
        return inputs.get(0);
    }

    DataStream<Tuple4<Object, Long, Double, Long>> left() {
        return inputs.get(0);
    }

    DataStream<Tuple4<Object, Long, Double, Long>> right() {
        return inputs.get(1);
    }

    /** {@code stream} keyed by its field 0, the key. */
    KeyedStream<Tuple4<Object, Long, Double, Long>, Object> keyed(DataStream<Tuple4<Object, Long, Double, Long>> stream) {
        return stream.keyBy(e -> e.f0, keyType);
    }

    /** Flink's own {@code sum(field)}, as a reduce function (what {@code WindowedStream.sum} runs). */
    SumAggregator<Tuple4<Object, Long, Double, Long>> sum(int field) {
        return new SumAggregator<>(field, eventType, env.getConfig());
    }

    /**
     * Flink's own {@code min(field)} ({@code MIN}, not {@code MINBY}) as a reduce function, given a copy of its
     * first argument: {@code ComparableAggregator} writes the minimum into that record in place, and in a sliding
     * window the heap state holds one record object for every window it is in, so the minimum of one window leaks
     * into the others (Flink's own {@code window(sliding).min(1)} does this; see docs/differential.md).
     */
    ReduceFunction<Tuple4<Object, Long, Double, Long>> min(int field) {
        return copyingFirst(new ComparableAggregator<>(field, eventType, AggregationType.MIN, env.getConfig()));
    }

    /** Flink's own {@code max(field)}, given a copy of its first argument (see {@link #min}). */
    ReduceFunction<Tuple4<Object, Long, Double, Long>> max(int field) {
        return copyingFirst(new ComparableAggregator<>(field, eventType, AggregationType.MAX, env.getConfig()));
    }

    private static ReduceFunction<Tuple4<Object, Long, Double, Long>> copyingFirst(
            ComparableAggregator<Tuple4<Object, Long, Double, Long>> aggregator) {
        return (a, b) -> aggregator.reduce(a.copy(), b);
    }

    /** Collects {@code rows} (canonical, {@link Rows}) as the case's main output. */
    void emit(DataStream<String> rows) {
        rows.sinkTo(FlinkCluster.sink(runId));
    }

    /** Collects {@code rows} as the output named {@code tag}. */
    void emit(String tag, DataStream<String> rows) {
        rows.map(row -> Rows.tagged(tag, row)).returns(Types.STRING).sinkTo(FlinkCluster.sink(runId));
    }

    /** Runs the program; every output's rows. */
    List<String> run(String jobName) throws Exception {
        Queue<String> rows;
        try {
            env.execute(jobName);
        } finally {
            rows = FlinkCluster.take(runId);
        }
        return new ArrayList<>(rows);
    }

    /** A window's result as a row, from the key, the window's bounds and the (one) aggregated value. */
    @FunctionalInterface
    interface WindowRow<T> extends Serializable {
        String row(Object key, long start, long end, T value);
    }

    /** Emits each time window's aggregated value as {@code row} makes it. */
    static <T> ProcessWindowFunction<T, String, Object, TimeWindow> timeWindowRows(WindowRow<T> row) {
        return new ProcessWindowFunction<>() {
            @Override
            public void process(Object key, Context context, Iterable<T> values, Collector<String> out) {
                for (T value : values) {
                    out.collect(row.row(key, context.window().getStart(), context.window().getEnd(), value));
                }
            }
        };
    }

    /** Emits each count window's aggregated value as {@code row} makes it (no bounds: 0, 0). */
    static <T> ProcessWindowFunction<T, String, Object, GlobalWindow> countWindowRows(WindowRow<T> row) {
        return new ProcessWindowFunction<>() {
            @Override
            public void process(Object key, Context context, Iterable<T> values, Collector<String> out) {
                for (T value : values) {
                    out.collect(row.row(key, 0, 0, value));
                }
            }
        };
    }

    /**
     * Riffle's watermark rule, per record: after every {@code batch} records and after the last one (Riffle's
     * last batch may be short), the highest time so far less the bound and 1 ms. Flink's output drops a
     * watermark that does not advance, as Riffle emits only one that went up. No periodic watermarks: none would
     * come at a deterministic point.
     */
    static final class RiffleWatermarks implements WatermarkGenerator<Tuple4<Object, Long, Double, Long>> {
        private final int batch;
        private long left;
        private long highest = Long.MIN_VALUE;
        private int inBatch;

        RiffleWatermarks(int batch, int records) {
            this.batch = batch;
            this.left = records;
        }

        @Override
        public void onEvent(Tuple4<Object, Long, Double, Long> event, long timestamp, WatermarkOutput output) {
            highest = Math.max(highest, timestamp);
            left--;
            if (++inBatch == batch || left == 0) {
                inBatch = 0;
                output.emitWatermark(new Watermark(highest - Events.BOUND_MS - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
        }
    }

    /**
     * Riffle's {@code punctuated("ts", "watermark")} over a field holding {@code ts - BOUND_MS - 1} on the marked
     * records: that value, emitted after each marked record (Flink's output drops it unless it rises).
     */
    static final class CarriedWatermarks implements WatermarkGenerator<Tuple4<Object, Long, Double, Long>> {
        @Override
        public void onEvent(Tuple4<Object, Long, Double, Long> event, long timestamp, WatermarkOutput output) {
            if (Watermarks.isMarker(event.f1)) {
                output.emitWatermark(new Watermark(timestamp - Events.BOUND_MS - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
        }
    }

    /**
     * Riffle's {@code punctuatedBy(v % 2 == 0)} on {@code boundedOutOfOrderness}: the highest time so far (the
     * marked record's included) less the bound and 1 ms, emitted after each marked record only.
     */
    static final class PunctuatedWatermarks implements WatermarkGenerator<Tuple4<Object, Long, Double, Long>> {
        private long highest = Long.MIN_VALUE;

        @Override
        public void onEvent(Tuple4<Object, Long, Double, Long> event, long timestamp, WatermarkOutput output) {
            highest = Math.max(highest, timestamp);
            if (Watermarks.isMarker(event.f1)) {
                output.emitWatermark(new Watermark(highest - Events.BOUND_MS - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
        }
    }
}
