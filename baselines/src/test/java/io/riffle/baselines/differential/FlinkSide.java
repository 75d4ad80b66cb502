package io.riffle.baselines.differential;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.riffle.baselines.differential.Events.Event;
import io.riffle.baselines.differential.Events.KeyType;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
 * generated order, as {@link FlinkEvent}s; in streaming cases its watermarks come from {@link RiffleWatermarks},
 * Riffle's rule made per record: after every {@code batch size} records, {@code highest - BOUND_MS - 1} — so
 * both engines see the same watermarks after the same records, and late records are the same records. The keyed
 * operators run at the trial's parallelism; with one source subtask each of their subtasks reads one channel in
 * order, so the interleaving of records and watermarks is fixed.
 */
final class FlinkSide {
    private final StreamExecutionEnvironment env;
    private final TypeInformation<Object> keyType;
    private final TypeInformation<FlinkEvent> eventType;
    private final List<DataStream<FlinkEvent>> inputs = new ArrayList<>();
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
        this.eventType = new TupleTypeInfo<>(FlinkEvent.class, keyType, Types.LONG, Types.DOUBLE, Types.LONG);
        int batch = trial.batchSize() > 0 ? trial.batchSize() : Integer.MAX_VALUE;
        for (List<Event> events : inputs) {
            List<FlinkEvent> rows = new ArrayList<>(events.size());
            for (Event e : events) {
                rows.add(new FlinkEvent(e.key(), e.value(), e.price(), e.ts()));
            }
            DataStream<FlinkEvent> input = env.fromData(rows, eventType).setParallelism(1);
            this.inputs.add(streaming ? input.assignTimestampsAndWatermarks(
                    WatermarkStrategy.<FlinkEvent>forGenerator(context -> new RiffleWatermarks(batch))
                            .withTimestampAssigner((e, previous) -> e.f3)).setParallelism(1) : input);
        }
    }

    StreamExecutionEnvironment env() {
        return env;
    }

    TypeInformation<Object> keyType() {
        return keyType;
    }

    /** The type of the inputs' records, for a map that keeps it. */
    TypeInformation<FlinkEvent> eventType() {
        return eventType;
    }

    DataStream<FlinkEvent> events() {
        return inputs.get(0);
    }

    DataStream<FlinkEvent> left() {
        return inputs.get(0);
    }

    DataStream<FlinkEvent> right() {
        return inputs.get(1);
    }

    /** {@code stream} keyed by its field 0, the key. */
    KeyedStream<FlinkEvent, Object> keyed(DataStream<FlinkEvent> stream) {
        return stream.keyBy(e -> e.f0, keyType);
    }

    /** Flink's own {@code sum(field)}, as a reduce function (what {@code WindowedStream.sum} runs). */
    SumAggregator<FlinkEvent> sum(int field) {
        return new SumAggregator<>(field, eventType, env.getConfig());
    }

    /** Flink's own {@code min(field)} ({@code MIN}, not {@code MINBY}) as a reduce function. */
    ComparableAggregator<FlinkEvent> min(int field) {
        return new ComparableAggregator<>(field, eventType, AggregationType.MIN, env.getConfig());
    }

    ComparableAggregator<FlinkEvent> max(int field) {
        return new ComparableAggregator<>(field, eventType, AggregationType.MAX, env.getConfig());
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
        FlinkCluster.sink(runId);
        try {
            env.execute(jobName);
            return new ArrayList<>(FlinkCluster.take(runId));
        } finally {
            FlinkCluster.take(runId);
        }
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
     * Riffle's watermark rule, per record: after every {@code batch} records, the highest time so far less the
     * bound and 1 ms. (Flink's output drops a watermark that does not advance, as Riffle emits only one that
     * went up.) No periodic watermarks: none would come at a deterministic point.
     */
    static final class RiffleWatermarks implements WatermarkGenerator<FlinkEvent> {
        private final int batch;
        private long highest = Long.MIN_VALUE;
        private int inBatch;

        RiffleWatermarks(int batch) {
            this.batch = batch;
        }

        @Override
        public void onEvent(FlinkEvent event, long timestamp, WatermarkOutput output) {
            highest = Math.max(highest, timestamp);
            if (++inBatch == batch) {
                inBatch = 0;
                output.emitWatermark(new Watermark(highest - Events.BOUND_MS - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
        }
    }
}
