package io.riffle.baselines.differential;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.ProcessJoinFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The user functions of the Flink programs, each the twin of one in {@link Cases}' Riffle programs. Where
 * Riffle has a built-in aggregate Flink's DataStream API lacks ({@code count}, {@code avg}), it is an
 * {@code AggregateFunction} here.
 */
final class FlinkFunctions {
    private FlinkFunctions() {
    }

    /** Records per window. */
    static final class Count implements AggregateFunction<Tuple4<Object, Long, Double, Long>, Long, Long> {
        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(Tuple4<Object, Long, Double, Long> value, Long count) {
            return count + 1;
        }

        @Override
        public Long getResult(Long count) {
            return count;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    /** The mean of the price: sum / count, as Riffle's {@code avg} (the prices sum exactly). */
    static final class AveragePrice
            implements AggregateFunction<Tuple4<Object, Long, Double, Long>, Tuple2<Double, Long>, Double> {
        @Override
        public Tuple2<Double, Long> createAccumulator() {
            return Tuple2.of(0.0, 0L);
        }

        @Override
        public Tuple2<Double, Long> add(Tuple4<Object, Long, Double, Long> value, Tuple2<Double, Long> acc) {
            return Tuple2.of(acc.f0 + value.f2, acc.f1 + 1);
        }

        @Override
        public Double getResult(Tuple2<Double, Long> acc) {
            return acc.f0 / acc.f1;
        }

        @Override
        public Tuple2<Double, Long> merge(Tuple2<Double, Long> a, Tuple2<Double, Long> b) {
            return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
        }
    }

    /** (records, sum of values, lowest price): the twin of {@code Cases.Stats}. */
    static final class Stats
            implements AggregateFunction<Tuple4<Object, Long, Double, Long>, Tuple3<Long, Long, Double>,
                    Tuple3<Long, Long, Double>> {
        @Override
        public Tuple3<Long, Long, Double> createAccumulator() {
            return Tuple3.of(0L, 0L, Double.POSITIVE_INFINITY);
        }

        @Override
        public Tuple3<Long, Long, Double> add(Tuple4<Object, Long, Double, Long> value, Tuple3<Long, Long, Double> acc) {
            return Tuple3.of(acc.f0 + 1, acc.f1 + value.f1, Math.min(acc.f2, value.f2));
        }

        @Override
        public Tuple3<Long, Long, Double> getResult(Tuple3<Long, Long, Double> acc) {
            return acc;
        }

        @Override
        public Tuple3<Long, Long, Double> merge(Tuple3<Long, Long, Double> a, Tuple3<Long, Long, Double> b) {
            return Tuple3.of(a.f0 + b.f0, a.f1 + b.f1, Math.min(a.f2, b.f2));
        }
    }

    /** Order-insensitive: values summed, the highest price, the earliest time (the twin of {@code Cases.COMBINE}). */
    static final class Combine implements ReduceFunction<Tuple4<Object, Long, Double, Long>> {
        @Override
        public Tuple4<Object, Long, Double, Long> reduce(Tuple4<Object, Long, Double, Long> a,
                                                 Tuple4<Object, Long, Double, Long> b) {
            return FlinkSide.event(a.f0, a.f1 + b.f1, Math.max(a.f2, b.f2), Math.min(a.f3, b.f3));
        }
    }

    /** Running: values summed, the highest price, the latest record's time (the twin of {@code Cases.RUNNING}). */
    static final class Running implements ReduceFunction<Tuple4<Object, Long, Double, Long>> {
        @Override
        public Tuple4<Object, Long, Double, Long> reduce(Tuple4<Object, Long, Double, Long> a,
                                                 Tuple4<Object, Long, Double, Long> b) {
            return FlinkSide.event(a.f0, a.f1 + b.f1, Math.max(a.f2, b.f2), b.f3);
        }
    }

    /** The twin of {@code Cases.twiceWhenTimeIsAMultipleOf3}. */
    static void twiceWhenTimeIsAMultipleOf3(Tuple4<Object, Long, Double, Long> e,
                                            Collector<Tuple4<Object, Long, Double, Long>> out) {
        out.collect(e);
        if (e.f3 % 3 == 0) {
            out.collect(FlinkSide.event(e.f0, -e.f1, e.f2, e.f3));
        }
    }

    /** The twin of {@code Cases.CountingTimers}: state (records, sum), a timer 4 ms after each record. */
    static final class CountingTimers extends KeyedProcessFunction<Object, Tuple4<Object, Long, Double, Long>, String> {
        private transient ValueState<Tuple2<Long, Long>> state;

        @Override
        public void open(OpenContext context) {
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("n-vsum", Types.TUPLE(Types.LONG, Types.LONG)));
        }

        @Override
        public void processElement(Tuple4<Object, Long, Double, Long> e, Context context, Collector<String> out)
                throws Exception {
            Tuple2<Long, Long> s = state.value();
            long n = (s == null ? 0 : s.f0) + 1;
            long sum = (s == null ? 0 : s.f1) + e.f1;
            state.update(Tuple2.of(n, sum));
            long timer = e.f3 + 4;
            context.timerService().registerEventTimeTimer(timer);
            if (e.f1 % 5 == 0) {
                context.timerService().deleteEventTimeTimer(timer);
            }
            out.collect(Rows.of(context.getCurrentKey(), "element", context.timestamp(),
                    context.timerService().currentWatermark(), n, sum));
        }

        @Override
        public void onTimer(long time, OnTimerContext context, Collector<String> out) throws Exception {
            Tuple2<Long, Long> s = state.value();
            out.collect(Rows.of(context.getCurrentKey(), "timer", time, context.timerService().currentWatermark(),
                    s.f0, s.f1));
            state.update(Tuple2.of(0L, s.f1));
        }
    }

    /**
     * (key, window_start, window_end, records, sum of values, the values) per key and time window, the values in
     * arrival order or sorted: the twin of {@code Cases.ValuesInWindow}.
     */
    static final class ValuesInTimeWindow
            extends ProcessWindowFunction<Tuple4<Object, Long, Double, Long>, String, Object, TimeWindow> {
        private final boolean sorted;

        ValuesInTimeWindow(boolean sorted) {
            this.sorted = sorted;
        }

        @Override
        public void process(Object key, Context context, Iterable<Tuple4<Object, Long, Double, Long>> records,
                            Collector<String> out) {
            List<Long> values = values(records);
            out.collect(Rows.of(key, context.window().getStart(), context.window().getEnd(), (long) values.size(),
                    sum(values), Cases.valuesText(values, sorted)));
        }
    }

    /** (key, records, sum of values, the values in arrival order) per count window: the twin of {@code Cases.ValuesInWindow}. */
    static final class ValuesInCountWindow
            extends ProcessWindowFunction<Tuple4<Object, Long, Double, Long>, String, Object, GlobalWindow> {
        @Override
        public void process(Object key, Context context, Iterable<Tuple4<Object, Long, Double, Long>> records,
                            Collector<String> out) {
            List<Long> values = values(records);
            out.collect(Rows.of(key, (long) values.size(), sum(values), Cases.valuesText(values, false)));
        }
    }

    private static List<Long> values(Iterable<Tuple4<Object, Long, Double, Long>> records) {
        List<Long> values = new ArrayList<>();
        for (Tuple4<Object, Long, Double, Long> r : records) {
            values.add(r.f1);
        }
        return values;
    }

    private static long sum(List<Long> values) {
        long sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum;
    }

    /** A pair as Riffle's interval join emits it: the left fields, the right ones but the key, the later time. */
    static final class IntervalPair
            extends ProcessJoinFunction<Tuple4<Object, Long, Double, Long>, Tuple4<Object, Long, Double, Long>, String> {
        @Override
        public void processElement(Tuple4<Object, Long, Double, Long> l, Tuple4<Object, Long, Double, Long> r,
                                   Context context, Collector<String> out) {
            out.collect(Rows.of(l.f0, l.f1, l.f2, l.f3, r.f1, r.f2, r.f3, context.getTimestamp()));
        }
    }

    /** The left fields, the right ones but the key; nulls where an outer join found no right record. */
    private static String pair(Tuple4<Object, Long, Double, Long> l, Tuple4<Object, Long, Double, Long> r) {
        return r == null ? Rows.of(l.f0, l.f1, l.f2, l.f3, null, null, null)
                : Rows.of(l.f0, l.f1, l.f2, l.f3, r.f1, r.f2, r.f3);
    }

    /** Flink's window join of the two inputs on their keys. */
    static DataStream<String> windowJoin(FlinkSide f, WindowAssigner<Object, TimeWindow> windows) {
        return f.left().join(f.right()).where(e -> e.f0, f.keyType()).equalTo(e -> e.f0, f.keyType())
                .window(windows).apply(FlinkFunctions::pair, Types.STRING);
    }

    /**
     * A join of two bounded inputs in BATCH mode: a join (or, for the left outer join, a coGroup) over one
     * global window that fires at the end of input, as Flink 2 writes what DataSet's join did.
     */
    static DataStream<String> batchJoin(FlinkSide f, boolean leftOuter) {
        if (!leftOuter) {
            return f.left().join(f.right()).where(e -> e.f0, f.keyType()).equalTo(e -> e.f0, f.keyType())
                    .window(GlobalWindows.createWithEndOfStreamTrigger()).apply(FlinkFunctions::pair, Types.STRING);
        }
        return f.left().coGroup(f.right()).where(e -> e.f0, f.keyType()).equalTo(e -> e.f0, f.keyType())
                .window(GlobalWindows.createWithEndOfStreamTrigger())
                .apply((Iterable<Tuple4<Object, Long, Double, Long>> lefts,
                        Iterable<Tuple4<Object, Long, Double, Long>> rights, Collector<String> out) -> {
                    for (Tuple4<Object, Long, Double, Long> l : lefts) {
                        boolean matched = false;
                        for (Tuple4<Object, Long, Double, Long> r : rights) {
                            matched = true;
                            out.collect(pair(l, r));
                        }
                        if (!matched) {
                            out.collect(pair(l, null));
                        }
                    }
                }, Types.STRING);
    }
}
