package io.riffle.baselines.differential;

import static io.riffle.engine.expr.Expr.col;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.riffle.baselines.differential.FlinkFunctions.AveragePrice;
import io.riffle.baselines.differential.FlinkFunctions.Combine;
import io.riffle.baselines.differential.FlinkFunctions.Count;
import io.riffle.baselines.differential.FlinkFunctions.Running;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.AggregateFunction;
import io.riffle.engine.Collector;
import io.riffle.engine.DataStream;
import io.riffle.engine.JoinInterval;
import io.riffle.engine.KeyedProcessFunction;
import io.riffle.engine.OutputTag;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.Record;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.WindowedStream;
import io.riffle.engine.Windows;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;

/**
 * Every case of the suite: each operator Riffle has, written on both engines. Names say what runs; outputs a
 * case emits under a tag (several windows of one kind, say) compare under that tag. To add an operator, add a
 * case to {@link #ALL} (see {@link DifferentialCase}); the windows and functions below are shared so that a
 * new case can reuse them.
 *
 * <p>Floating-point results compare exactly: the generated prices are multiples of 1/4 (see {@link Events}),
 * so sums, minima, maxima and means agree bit for bit in any order of addition.
 */
final class Cases {
    private static final Duration TUMBLING = Duration.ofMillis(Events.WINDOW_MS);
    /** A slide that does not divide the size: panes of gcd(10, 4) = 2 ms on Riffle's side. */
    private static final Duration SLIDING_SIZE = Duration.ofMillis(10);
    private static final Duration SLIDE = Duration.ofMillis(4);
    private static final Duration GAP = Duration.ofMillis(Events.GAP_MS);
    private static final long COUNT = 3;
    /** Sliding count windows: {size, slide}, overlapping and with gaps. */
    private static final long[][] COUNT_SIZE_SLIDE = {{3, 2}, {2, 3}};
    private static final Duration INTERVAL_LOWER = Duration.ofMillis(-5);
    private static final Duration INTERVAL_UPPER = Duration.ofMillis(3);
    /** Sampling windows: 3 ms every 7 ms, so 4 ms of every 7 fall in no window. */
    private static final Duration SAMPLE_SIZE = Duration.ofMillis(3);
    private static final Duration SAMPLE_SLIDE = Duration.ofMillis(7);
    /** Offsets within the size (tumbling) and the slide (sliding), as Flink requires. */
    private static final Duration TUMBLING_OFFSET = Duration.ofMillis(-3);
    private static final Duration SLIDING_OFFSET = Duration.ofMillis(1);
    /** The second window of a cascade (and of the late records downstream): a multiple of the first's size. */
    private static final Duration CASCADE_SIZE = Duration.ofMillis(30);
    /** Flink's types of the accumulators and results (its type extractor cannot read them off an Object key). */
    private static final TypeInformation<Tuple3<Long, Long, Double>> STATS = Types.TUPLE(Types.LONG, Types.LONG,
            Types.DOUBLE);
    private static final TypeInformation<Tuple2<Double, Long>> AVERAGE = Types.TUPLE(Types.DOUBLE, Types.LONG);

    /** Order-insensitive, as Riffle's window reduce asks: values summed, the highest price, the earliest time. */
    static final ReduceFunction COMBINE = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1),
            Math.max(a.getDouble(2), b.getDouble(2)), Math.min(a.getLong(3), b.getLong(3)));
    /** A running reduce: values summed, the highest price, the latest record's time. */
    static final ReduceFunction RUNNING = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1),
            Math.max(a.getDouble(2), b.getDouble(2)), b.getLong(3));

    private Cases() {
    }

    private static final DifferentialCase TUMBLING_SUM_LATE = DifferentialCase.stream(
            "tumbling-sum-allowed-lateness-late-side-output",
            r -> riffleLate(r, Windows.tumbling(TUMBLING), Duration.ofMillis(15), false),
            f -> flinkLate(f, TumblingEventTimeWindows.of(TUMBLING), Duration.ofMillis(15), false));
    private static final DifferentialCase SLIDING_SUM_LATE = DifferentialCase.stream("sliding-sum-late-side-output",
            r -> riffleLate(r, Windows.sliding(SLIDING_SIZE, SLIDE), Duration.ZERO, false),
            f -> flinkLate(f, SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE), Duration.ZERO, false));
    private static final DifferentialCase SESSION_SUM_LATE = DifferentialCase.stream(
            "session-sum-allowed-lateness-late-side-output",
            r -> riffleLate(r, Windows.session(GAP), Duration.ofMillis(10), false),
            f -> flinkLate(f, EventTimeSessionWindows.withGap(GAP), Duration.ofMillis(10), false));
    private static final DifferentialCase TUMBLING_REDUCE_LATE = DifferentialCase.stream(
            "tumbling-reduce-allowed-lateness-late-side-output",
            r -> riffleLate(r, Windows.tumbling(TUMBLING), Duration.ofMillis(15), true),
            f -> flinkLate(f, TumblingEventTimeWindows.of(TUMBLING), Duration.ofMillis(15), true));
    private static final DifferentialCase SESSION_REDUCE_LATE = DifferentialCase.stream(
            "session-reduce-allowed-lateness-late-side-output",
            r -> riffleLate(r, Windows.session(GAP), Duration.ofMillis(10), true),
            f -> flinkLate(f, EventTimeSessionWindows.withGap(GAP), Duration.ofMillis(10), true));
    private static final DifferentialCase SAMPLING_SUM_LATE = DifferentialCase.stream(
            "sampling-sum-allowed-lateness-late-side-output",
            r -> riffleLate(r, Windows.sliding(SAMPLE_SIZE, SAMPLE_SLIDE), Duration.ofMillis(5), false),
            f -> flinkLate(f, SlidingEventTimeWindows.of(SAMPLE_SIZE, SAMPLE_SLIDE), Duration.ofMillis(5), false));

    /** Per-key state and event-time timers, printing the watermark at each record and timer. */
    private static final DifferentialCase TIMERS = DifferentialCase.stream("keyed-process-state-event-time-timers",
            r -> r.emit(r.events().keyBy("k").process(new CountingTimers(), CountingTimers.output(r),
                    CountingTimers.STATE)),
            f -> f.emit(f.keyed(f.events()).process(new FlinkFunctions.CountingTimers(), Types.STRING)));

    /**
     * {@code lateCase} in Riffle's default per-batch watermark mode, at batch size 1 only: there a batch is a
     * record, so Riffle fires a window once per late record as Flink does. At larger batch sizes the per-batch
     * mode makes one late firing per batch and key where Flink makes one per late record (a documented
     * difference of that mode), so those sizes are compared with per-record watermarks only.
     */
    private static DifferentialCase perBatchAtBatchSize1(DifferentialCase lateCase) {
        return lateCase.named(lateCase.name() + "-per-batch-watermarks-batch-size-1").onlyAtBatchSize(1);
    }

    static final List<DifferentialCase> ALL = List.of(
            // ---- event-time windows: built-in aggregates (Flink: its own sum/min/max aggregators, count and avg
            // as AggregateFunctions), with a window function adding the window's bounds.
            DifferentialCase.stream("tumbling-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k").window(Windows.tumbling(TUMBLING))),
                    f -> flinkAggregates(f, TumblingEventTimeWindows.of(TUMBLING))),
            DifferentialCase.stream("sliding-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k").window(Windows.sliding(SLIDING_SIZE, SLIDE))),
                    f -> flinkAggregates(f, SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE))),
            DifferentialCase.stream("session-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k").window(Windows.session(GAP))),
                    f -> flinkAggregates(f, EventTimeSessionWindows.withGap(GAP))),
            DifferentialCase.stream("count-window-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k").countWindow(COUNT)),
                    Cases::flinkCountAggregates),

            // ---- user window functions on every kind of window
            DifferentialCase.stream("window-reduce",
                    r -> {
                        r.emit("tumbling", r.events().keyBy("k").window(Windows.tumbling(TUMBLING)).reduce(COMBINE));
                        r.emit("sliding", r.events().keyBy("k").window(Windows.sliding(SLIDING_SIZE, SLIDE))
                                .reduce(COMBINE));
                        r.emit("session", r.events().keyBy("k").window(Windows.session(GAP)).reduce(COMBINE));
                        r.emit("count", r.events().keyBy("k").countWindow(COUNT).reduce(COMBINE));
                    },
                    f -> {
                        f.emit("tumbling", f.keyed(f.events()).window(TumblingEventTimeWindows.of(TUMBLING))
                                .reduce(new Combine(), FlinkSide.timeWindowRows(Cases::recordInWindow), Types.STRING));
                        f.emit("sliding", f.keyed(f.events()).window(SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE))
                                .reduce(new Combine(), FlinkSide.timeWindowRows(Cases::recordInWindow), Types.STRING));
                        f.emit("session", f.keyed(f.events()).window(EventTimeSessionWindows.withGap(GAP))
                                .reduce(new Combine(), FlinkSide.timeWindowRows(Cases::recordInWindow), Types.STRING));
                        f.emit("count", f.keyed(f.events()).countWindow(COUNT).reduce(new Combine(),
                                FlinkSide.countWindowRows((k, s, e, v) -> record(v)), Types.STRING));
                    }),
            DifferentialCase.stream("window-aggregate-function",
                    r -> {
                        r.emit("tumbling", stats(r.events().keyBy("k").window(Windows.tumbling(TUMBLING))));
                        r.emit("sliding", stats(r.events().keyBy("k").window(Windows.sliding(SLIDING_SIZE, SLIDE))));
                        r.emit("session", stats(r.events().keyBy("k").window(Windows.session(GAP))));
                        r.emit("count", stats(r.events().keyBy("k").countWindow(COUNT)));
                    },
                    f -> {
                        f.emit("tumbling", f.keyed(f.events()).window(TumblingEventTimeWindows.of(TUMBLING))
                                .aggregate(new FlinkFunctions.Stats(), FlinkSide.timeWindowRows(Cases::statsInWindow),
                                        STATS, STATS, Types.STRING));
                        f.emit("sliding", f.keyed(f.events()).window(SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE))
                                .aggregate(new FlinkFunctions.Stats(), FlinkSide.timeWindowRows(Cases::statsInWindow),
                                        STATS, STATS, Types.STRING));
                        f.emit("session", f.keyed(f.events()).window(EventTimeSessionWindows.withGap(GAP))
                                .aggregate(new FlinkFunctions.Stats(), FlinkSide.timeWindowRows(Cases::statsInWindow),
                                        STATS, STATS, Types.STRING));
                        f.emit("count", f.keyed(f.events()).countWindow(COUNT).aggregate(new FlinkFunctions.Stats(),
                                FlinkSide.countWindowRows((k, s, e, v) -> Rows.of(k, v.f0, v.f1, v.f2)), STATS, STATS,
                                Types.STRING));
                    }),

            // ---- process windows: every record of a key's window at once. Values in arrival order where Flink's is
            // defined (a window's list state appends as records arrive); sorted for sessions, whose merged lists
            // Flink concatenates in no defined order
            DifferentialCase.stream("process-window-tumbling-sliding-session-count",
                    r -> {
                        BatchSchema timed = ValuesInWindow.output(r, true);
                        r.emit("tumbling", r.events().keyBy("k").window(Windows.tumbling(TUMBLING))
                                .process(new ValuesInWindow(true, false), timed));
                        r.emit("sliding", r.events().keyBy("k").window(Windows.sliding(SLIDING_SIZE, SLIDE))
                                .process(new ValuesInWindow(true, false), timed));
                        r.emit("session", r.events().keyBy("k").window(Windows.session(GAP))
                                .process(new ValuesInWindow(true, true), timed));
                        r.emit("count", r.events().keyBy("k").countWindow(COUNT)
                                .process(new ValuesInWindow(false, false), ValuesInWindow.output(r, false)));
                    },
                    f -> {
                        f.emit("tumbling", f.keyed(f.events()).window(TumblingEventTimeWindows.of(TUMBLING))
                                .process(new FlinkFunctions.ValuesInTimeWindow(false), Types.STRING));
                        f.emit("sliding", f.keyed(f.events()).window(SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE))
                                .process(new FlinkFunctions.ValuesInTimeWindow(false), Types.STRING));
                        f.emit("session", f.keyed(f.events()).window(EventTimeSessionWindows.withGap(GAP))
                                .process(new FlinkFunctions.ValuesInTimeWindow(true), Types.STRING));
                        f.emit("count", f.keyed(f.events()).countWindow(COUNT)
                                .process(new FlinkFunctions.ValuesInCountWindow(), Types.STRING));
                    }),
            DifferentialCase.stream("process-window-allowed-lateness-late-side-output",
                    r -> {
                        OutputTag late = new OutputTag("late");
                        DataStream values = r.events().keyBy("k").window(Windows.tumbling(TUMBLING))
                                .allowedLateness(Duration.ofMillis(15)).sideOutputLateData(late)
                                .process(new ValuesInWindow(true, false), ValuesInWindow.output(r, true));
                        r.emit(values);
                        r.emit("late", values.getSideOutput(late));
                    },
                    f -> {
                        var late = new org.apache.flink.util.OutputTag<>("late", f.eventType());
                        var values = f.keyed(f.events()).window(TumblingEventTimeWindows.of(TUMBLING))
                                .allowedLateness(Duration.ofMillis(15)).sideOutputLateData(late)
                                .process(new FlinkFunctions.ValuesInTimeWindow(false), Types.STRING);
                        f.emit(values);
                        f.emit("late", records(values.getSideOutput(late)));
                    }).perRecord(),
            // sliding count windows: 3 records every 2, and 2 every 3 (records between windows count nowhere)
            DifferentialCase.stream("count-window-size-slide-sum-reduce-process",
                    r -> {
                        for (long[] sizeSlide : COUNT_SIZE_SLIDE) {
                            String tag = sizeSlide[0] + "-" + sizeSlide[1];
                            r.emit("sum-" + tag, r.events().keyBy("k").countWindow(sizeSlide[0], sizeSlide[1]).sum("v"));
                            r.emit("reduce-" + tag, r.events().keyBy("k").countWindow(sizeSlide[0], sizeSlide[1])
                                    .reduce(COMBINE));
                            r.emit("process-" + tag, r.events().keyBy("k").countWindow(sizeSlide[0], sizeSlide[1])
                                    .process(new ValuesInWindow(false, false), ValuesInWindow.output(r, false)));
                        }
                    },
                    f -> {
                        for (long[] sizeSlide : COUNT_SIZE_SLIDE) {
                            String tag = sizeSlide[0] + "-" + sizeSlide[1];
                            f.emit("sum-" + tag, f.keyed(f.events()).countWindow(sizeSlide[0], sizeSlide[1])
                                    .reduce(f.sum(1), FlinkSide.countWindowRows((k, s, e, v) -> Rows.of(k, v.f1)),
                                            Types.STRING));
                            f.emit("reduce-" + tag, f.keyed(f.events()).countWindow(sizeSlide[0], sizeSlide[1])
                                    .reduce(new Combine(), FlinkSide.countWindowRows((k, s, e, v) -> record(v)),
                                            Types.STRING));
                            f.emit("process-" + tag, f.keyed(f.events()).countWindow(sizeSlide[0], sizeSlide[1])
                                    .process(new FlinkFunctions.ValuesInCountWindow(), Types.STRING));
                        }
                    }),
            // window offsets, over the generated negative times
            DifferentialCase.stream("tumbling-offset-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k").window(Windows.tumbling(TUMBLING, TUMBLING_OFFSET))),
                    f -> flinkAggregates(f, TumblingEventTimeWindows.of(TUMBLING, TUMBLING_OFFSET))),
            DifferentialCase.stream("sliding-offset-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k")
                            .window(Windows.sliding(SLIDING_SIZE, SLIDE, SLIDING_OFFSET))),
                    f -> flinkAggregates(f, SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE, SLIDING_OFFSET))),
            DifferentialCase.stream("offset-window-reduce-process",
                    r -> {
                        r.emit("tumbling-reduce", r.events().keyBy("k")
                                .window(Windows.tumbling(TUMBLING, TUMBLING_OFFSET)).reduce(COMBINE));
                        r.emit("sliding-process", r.events().keyBy("k")
                                .window(Windows.sliding(SLIDING_SIZE, SLIDE, SLIDING_OFFSET))
                                .process(new ValuesInWindow(true, false), ValuesInWindow.output(r, true)));
                    },
                    f -> {
                        f.emit("tumbling-reduce", f.keyed(f.events())
                                .window(TumblingEventTimeWindows.of(TUMBLING, TUMBLING_OFFSET))
                                .reduce(new Combine(), FlinkSide.timeWindowRows(Cases::recordInWindow), Types.STRING));
                        f.emit("sliding-process", f.keyed(f.events())
                                .window(SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE, SLIDING_OFFSET))
                                .process(new FlinkFunctions.ValuesInTimeWindow(false), Types.STRING));
                    }),
            // cascaded windows: a window's results carry event time window_end - 1 (Flink: window.maxTimestamp())
            DifferentialCase.stream("cascaded-windows-tumbling-sliding-session-into-tumbling",
                    r -> {
                        r.emit("tumbling", r.events().keyBy("k").window(Windows.tumbling(TUMBLING)).sum("v")
                                .keyBy("k").window(Windows.tumbling(CASCADE_SIZE)).sum("v"));
                        r.emit("sliding", r.events().keyBy("k").window(Windows.sliding(SLIDING_SIZE, SLIDE)).sum("v")
                                .keyBy("k").window(Windows.tumbling(CASCADE_SIZE)).sum("v"));
                        r.emit("session", r.events().keyBy("k").window(Windows.session(GAP)).sum("v")
                                .keyBy("k").window(Windows.tumbling(CASCADE_SIZE)).sum("v"));
                    },
                    f -> {
                        f.emit("tumbling", cascadedSum(f, TumblingEventTimeWindows.of(TUMBLING)));
                        f.emit("sliding", cascadedSum(f, SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE)));
                        f.emit("session", cascadedSum(f, EventTimeSessionWindows.withGap(GAP)));
                    }),

            // ---- late data: allowed lateness (late firings) and the late records' side output, with per-record
            // watermarks (exact at every batch size), and in Riffle's per-batch mode at batch size 1, where a batch
            // is a record, so that mode's late handling is compared too
            TUMBLING_SUM_LATE.perRecord(),
            SLIDING_SUM_LATE.perRecord(),
            SESSION_SUM_LATE.perRecord(),
            TUMBLING_REDUCE_LATE.perRecord(),
            SESSION_REDUCE_LATE.perRecord(),
            perBatchAtBatchSize1(TUMBLING_SUM_LATE),
            perBatchAtBatchSize1(SLIDING_SUM_LATE),
            perBatchAtBatchSize1(SESSION_SUM_LATE),
            perBatchAtBatchSize1(TUMBLING_REDUCE_LATE),
            perBatchAtBatchSize1(SESSION_REDUCE_LATE),
            // sampling windows (3 ms every 7 ms): a record between two windows is in none, late only when it is
            // behind the watermark by the allowed lateness or more
            DifferentialCase.stream("sampling-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k").window(Windows.sliding(SAMPLE_SIZE, SAMPLE_SLIDE))),
                    f -> flinkAggregates(f, SlidingEventTimeWindows.of(SAMPLE_SIZE, SAMPLE_SLIDE))),
            // with an offset too: the windows between which records count nowhere move with it
            DifferentialCase.stream("sampling-offset-sum-min-max-count-avg",
                    r -> riffleAggregates(r, r.events().keyBy("k")
                            .window(Windows.sliding(SAMPLE_SIZE, SAMPLE_SLIDE, Duration.ofMillis(2)))),
                    f -> flinkAggregates(f, SlidingEventTimeWindows.of(SAMPLE_SIZE, SAMPLE_SLIDE, Duration.ofMillis(2)))),
            SAMPLING_SUM_LATE.perRecord(),
            perBatchAtBatchSize1(SAMPLING_SUM_LATE),
            // late records read downstream by their own event time: windowed again (some are late there too) and
            // handed to a process function that prints their timestamps and the watermark it sees. The first window
            // runs at parallelism 1: a keyed operator after it then reads one channel, so which late records it
            // meets before which watermark is fixed (from p window subtasks it would vary from run to run, on both
            // engines, as with two inputs); the operators after it run at the trial's parallelism
            DifferentialCase.stream("late-side-output-windowed-and-processed",
                    r -> {
                        OutputTag late = new OutputTag("late");
                        DataStream sums = r.events().keyBy("k").window(Windows.tumbling(TUMBLING))
                                .sideOutputLateData(late).sum("v").setParallelism(1);
                        r.emit(sums);
                        r.emit("late-windowed", sums.getSideOutput(late).keyBy("k")
                                .window(Windows.tumbling(CASCADE_SIZE)).sum("v"));
                        r.emit("late-processed", sums.getSideOutput(late).keyBy("k").process(new CountingTimers(),
                                CountingTimers.output(r), CountingTimers.STATE));
                    },
                    f -> {
                        var late = new org.apache.flink.util.OutputTag<>("late", f.eventType());
                        var sums = f.keyed(f.events()).window(TumblingEventTimeWindows.of(TUMBLING))
                                .sideOutputLateData(late)
                                .reduce(f.sum(1), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f1)),
                                        Types.STRING)
                                .setParallelism(1);
                        f.emit(sums);
                        f.emit("late-windowed", f.keyed(sums.getSideOutput(late))
                                .window(TumblingEventTimeWindows.of(CASCADE_SIZE))
                                .reduce(f.sum(1), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f1)),
                                        Types.STRING));
                        f.emit("late-processed", f.keyed(sums.getSideOutput(late))
                                .process(new FlinkFunctions.CountingTimers(), Types.STRING));
                    }).perRecord(),
            // punctuated watermarks: only after the records whose value is even
            TUMBLING_SUM_LATE.punctuated().named("punctuated-tumbling-sum-allowed-lateness-late-side-output"),
            SESSION_REDUCE_LATE.punctuated().named("punctuated-session-reduce-allowed-lateness-late-side-output"),
            // watermarks carried in a field of the marked records (their own time less the bound: not monotonic)
            TUMBLING_SUM_LATE.carried().named("carried-watermarks-tumbling-sum-allowed-lateness-late-side-output"),

            // ---- keyed running aggregates: a record out per record in
            DifferentialCase.stream("keyed-running-sum",
                    r -> r.emit(r.events().keyBy("k").sum("v")),
                    f -> f.emit(records(f.keyed(f.events()).sum(1)))),
            DifferentialCase.stream("keyed-running-min-max",
                    r -> {
                        r.emit("min", r.events().keyBy("k").min("v"));
                        r.emit("max", r.events().keyBy("k").max("x"));
                    },
                    f -> {
                        f.emit("min", records(f.keyed(f.events()).min(1)));
                        f.emit("max", records(f.keyed(f.events()).max(2)));
                    }),
            DifferentialCase.stream("keyed-running-reduce",
                    r -> r.emit(r.events().keyBy("k").reduce(RUNNING)),
                    f -> f.emit(records(f.keyed(f.events()).reduce(new Running())))),
            DifferentialCase.stream("keyed-running-min-by-max-by",
                    r -> {
                        r.emit("minBy", r.events().keyBy("k").minBy("v"));
                        r.emit("maxBy", r.events().keyBy("k").maxBy("x"));
                        r.emit("maxBy-last", r.events().keyBy("k").maxBy("v", false));
                    },
                    f -> {
                        f.emit("minBy", records(f.keyed(f.events()).minBy(1)));
                        f.emit("maxBy", records(f.keyed(f.events()).maxBy(2)));
                        f.emit("maxBy-last", records(f.keyed(f.events()).maxBy(1, false)));
                    }),

            // ---- process function: per-key state and event-time timers
            TIMERS,
            TIMERS.perRecord().named(TIMERS.name() + "-per-record-watermarks"),
            TIMERS.punctuated().named(TIMERS.name() + "-punctuated-watermarks"),
            TIMERS.carried().named(TIMERS.name() + "-carried-watermarks"),

            // ---- stateless operators, and union in front of a window
            DifferentialCase.stream("filter-map-flatmap",
                    r -> r.emit(r.events().filter(e -> e.getLong(1) % 2 != 0)
                            .map(e -> Tuple.of(e.field(0), e.getLong(1) * 3, e.getDouble(2) / 2, e.getLong(3)))
                            .flatMap(Cases::twiceWhenTimeIsAMultipleOf3, r.schema())),
                    f -> f.emit(records(f.events().filter(e -> e.f1 % 2 != 0)
                            .map(e -> FlinkSide.event(e.f0, e.f1 * 3, e.f2 / 2, e.f3)).returns(f.eventType())
                            .flatMap(FlinkFunctions::twiceWhenTimeIsAMultipleOf3).returns(f.eventType())))),
            DifferentialCase.twoStreams("union-tumbling-sum",
                    r -> r.emit(r.left().union(r.right()).keyBy("k").window(Windows.tumbling(TUMBLING)).sum("v")),
                    f -> f.emit(f.keyed(f.left().union(f.right())).window(TumblingEventTimeWindows.of(TUMBLING))
                            .reduce(f.sum(1), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f1)),
                                    Types.STRING))),

            // ---- joins of streams
            DifferentialCase.twoStreams("interval-join",
                    r -> r.emit(r.left().keyBy("k").intervalJoin(r.right().keyBy("k"), INTERVAL_LOWER, INTERVAL_UPPER)),
                    f -> f.emit(f.keyed(f.left()).intervalJoin(f.keyed(f.right()))
                            .between(INTERVAL_LOWER, INTERVAL_UPPER)
                            .process(new FlinkFunctions.IntervalPair(), Types.STRING))),
            // Flink's JoinFunction does not see the window: the pairs compare without Riffle's window columns
            // (a pair in two sliding windows still comes twice).
            DifferentialCase.twoStreams("window-join-tumbling-sliding",
                    r -> {
                        r.emit("tumbling", withoutWindow(r.left().keyBy("k").windowJoin(r.right().keyBy("k"),
                                Windows.tumbling(TUMBLING))));
                        r.emit("sliding", withoutWindow(r.left().keyBy("k").windowJoin(r.right().keyBy("k"),
                                Windows.sliding(SLIDING_SIZE, SLIDE))));
                    },
                    f -> {
                        f.emit("tumbling", FlinkFunctions.windowJoin(f, TumblingEventTimeWindows.of(TUMBLING)));
                        f.emit("sliding", FlinkFunctions.windowJoin(f, SlidingEventTimeWindows.of(SLIDING_SIZE, SLIDE)));
                    }),
            // an int32 key joins an int64 key by value (with int32 keys, seeds 3, 6, ...: one input widened to
            // int64; the other seeds join keys of one type). Flink joins keys of one type only: its inputs keep
            // the trial's key type, which gives the same pairs.
            DifferentialCase.twoStreams("join-int32-with-int64-keys",
                    r -> {
                        r.emit("interval", r.left().keyBy("k").intervalJoin(widened(r, r.right()).keyBy("k"),
                                INTERVAL_LOWER, INTERVAL_UPPER));
                        r.emit("window", withoutWindow(widened(r, r.left()).keyBy("k").windowJoin(r.right().keyBy("k"),
                                Windows.tumbling(TUMBLING))));
                    },
                    f -> {
                        f.emit("interval", f.keyed(f.left()).intervalJoin(f.keyed(f.right()))
                                .between(INTERVAL_LOWER, INTERVAL_UPPER)
                                .process(new FlinkFunctions.IntervalPair(), Types.STRING));
                        f.emit("window", FlinkFunctions.windowJoin(f, TumblingEventTimeWindows.of(TUMBLING)));
                    }),
            DifferentialCase.twoStreams("interval-join-exclusive-bounds",
                    r -> {
                        JoinInterval between = JoinInterval.between(INTERVAL_LOWER, INTERVAL_UPPER);
                        r.emit("lower", r.left().keyBy("k").intervalJoin(r.right().keyBy("k"),
                                between.lowerBoundExclusive()));
                        r.emit("upper", r.left().keyBy("k").intervalJoin(r.right().keyBy("k"),
                                between.upperBoundExclusive()));
                        r.emit("both", r.left().keyBy("k").intervalJoin(r.right().keyBy("k"),
                                between.lowerBoundExclusive().upperBoundExclusive()));
                    },
                    f -> {
                        f.emit("lower", f.keyed(f.left()).intervalJoin(f.keyed(f.right()))
                                .between(INTERVAL_LOWER, INTERVAL_UPPER).lowerBoundExclusive()
                                .process(new FlinkFunctions.IntervalPair(), Types.STRING));
                        f.emit("upper", f.keyed(f.left()).intervalJoin(f.keyed(f.right()))
                                .between(INTERVAL_LOWER, INTERVAL_UPPER).upperBoundExclusive()
                                .process(new FlinkFunctions.IntervalPair(), Types.STRING));
                        f.emit("both", f.keyed(f.left()).intervalJoin(f.keyed(f.right()))
                                .between(INTERVAL_LOWER, INTERVAL_UPPER).lowerBoundExclusive().upperBoundExclusive()
                                .process(new FlinkFunctions.IntervalPair(), Types.STRING));
                    }),

            // ---- batch: hash joins and group aggregates over bounded data sets
            DifferentialCase.batch("batch-inner-and-left-outer-join",
                    r -> {
                        r.emit("inner", r.left().join(r.right(), "k", "k"));
                        r.emit("left-outer", r.left().leftOuterJoin(r.right(), "k", "k"));
                    },
                    f -> {
                        f.emit("inner", FlinkFunctions.batchJoin(f, false));
                        f.emit("left-outer", FlinkFunctions.batchJoin(f, true));
                    }),
            DifferentialCase.batch("batch-group-sum-min-max-count-reduce",
                    r -> {
                        r.emit("sum", r.left().groupBy("k").sum("v"));
                        r.emit("min", r.left().groupBy("k").min("v"));
                        r.emit("max", r.left().groupBy("k").max("x"));
                        r.emit("count", r.left().groupBy("k").count());
                        r.emit("reduce", r.left().groupBy("k").reduce(COMBINE));
                    },
                    f -> {
                        f.emit("sum", keyAndField(f.keyed(f.left()).sum(1), 1));
                        f.emit("min", keyAndField(f.keyed(f.left()).min(1), 1));
                        f.emit("max", keyAndField(f.keyed(f.left()).max(2), 2));
                        f.emit("count", keyAndField(f.keyed(f.left().map(e -> FlinkSide.event(e.f0, 1L, e.f2, e.f3))
                                .returns(f.eventType())).sum(1), 1));
                        f.emit("reduce", records(f.keyed(f.left()).reduce(new Combine())));
                    }));

    // ---- Riffle's side

    private static void riffleAggregates(RiffleSide r, WindowedStream windows) {
        r.emit("sum", windows.sum("v"));
        r.emit("min", windows.min("v"));
        r.emit("max", windows.max("x"));
        r.emit("count", windows.count());
        r.emit("avg", windows.avg("x"));
    }

    private static void riffleLate(RiffleSide r, Windows kind, Duration lateness, boolean reduce) {
        OutputTag late = new OutputTag("late");
        WindowedStream windows = r.events().keyBy("k").window(kind).allowedLateness(lateness).sideOutputLateData(late);
        DataStream result = reduce ? windows.reduce(COMBINE) : windows.sum("v");
        r.emit(result);
        r.emit("late", result.getSideOutput(late));
    }

    /** {@code input} with its key widened to int64 where it is int32 (the event time kept), else as it is. */
    private static DataStream widened(RiffleSide r, DataStream input) {
        if (r.schema().column(0).type() != ColumnType.INT32) {
            return input;
        }
        return input.map(e -> Tuple.of((long) e.getInt(0), e.getLong(1), e.getDouble(2), e.getLong(3)),
                RiffleSide.schema(Events.KeyType.INT64));
    }

    /** (records, sum of values, lowest price) per window: the twin of {@link FlinkFunctions.Stats}. */
    private static DataStream stats(WindowedStream windows) {
        BatchSchema schema = BatchSchema.of(Column.of("n", ColumnType.INT64), Column.of("vsum", ColumnType.INT64),
                Column.of("xmin", ColumnType.FLOAT64));
        return windows.aggregate(new Stats(), schema, schema);
    }

    private static void twiceWhenTimeIsAMultipleOf3(Record e, Collector out) {
        out.collect(e);
        if (e.getLong(3) % 3 == 0) {
            out.collect(e.field(0), -e.getLong(1), e.getDouble(2), e.getLong(3));
        }
    }

    /** A window join's pairs without {@code window_start} and {@code window_end}. */
    private static DataStream withoutWindow(DataStream pairs) {
        return pairs.select(col(0), col(1), col(2), col(3), col(4), col(5), col(6));
    }

    /**
     * A process window function: (key, window_start, window_end, records, sum of values, the values) per key and
     * window, the values in arrival order or sorted ({@code sorted}); without the bounds on count windows
     * ({@code timed} false). The twin of {@link FlinkFunctions.ValuesInTimeWindow} and
     * {@link FlinkFunctions.ValuesInCountWindow}.
     */
    static final class ValuesInWindow implements ProcessWindowFunction {
        private final boolean timed;
        private final boolean sorted;

        ValuesInWindow(boolean timed, boolean sorted) {
            this.timed = timed;
            this.sorted = sorted;
        }

        static BatchSchema output(RiffleSide r, boolean timed) {
            List<Column> columns = new ArrayList<>();
            columns.add(r.schema().column(0));
            if (timed) {
                columns.add(Column.of("window_start", ColumnType.INT64));
                columns.add(Column.of("window_end", ColumnType.INT64));
            }
            columns.add(Column.of("n", ColumnType.INT64));
            columns.add(Column.of("vsum", ColumnType.INT64));
            columns.add(Column.of("values", ColumnType.UTF8));
            return BatchSchema.of(columns.toArray(Column[]::new));
        }

        @Override
        public void process(Object key, io.riffle.engine.TimeWindow window, Iterable<Record> records, Collector out) {
            List<Long> values = new ArrayList<>();
            long sum = 0;
            for (Record r : records) {
                values.add(r.getLong(1));
                sum += r.getLong(1);
            }
            String text = valuesText(values, sorted);
            if (timed) {
                out.collect(key, window.start(), window.end(), (long) values.size(), sum, text);
            } else {
                out.collect(key, (long) values.size(), sum, text);
            }
        }
    }

    /** The values as one string, in the order given or sorted: what the process window functions emit. */
    static String valuesText(List<Long> values, boolean sorted) {
        List<Long> ordered = new ArrayList<>(values);
        if (sorted) {
            ordered.sort(null);
        }
        StringBuilder text = new StringBuilder();
        for (Long v : ordered) {
            text.append(text.length() == 0 ? "" : " ").append(v);
        }
        return text.toString();
    }

    static final class Stats implements AggregateFunction {
        @Override
        public Tuple createAccumulator() {
            return Tuple.of(0L, 0L, Double.POSITIVE_INFINITY);
        }

        @Override
        public Tuple add(Record r, Tuple acc) {
            return Tuple.of(acc.getLong(0) + 1, acc.getLong(1) + r.getLong(1), Math.min(acc.getDouble(2), r.getDouble(2)));
        }

        @Override
        public Tuple merge(Tuple a, Tuple b) {
            return Tuple.of(a.getLong(0) + b.getLong(0), a.getLong(1) + b.getLong(1),
                    Math.min(a.getDouble(2), b.getDouble(2)));
        }

        @Override
        public Record getResult(Tuple acc) {
            return acc;
        }
    }

    /**
     * Per key: the records seen and their sum as state; each record emits (key, "element", time, watermark,
     * records, sum) and sets a timer 4 ms after its time (deleted again when its value is a multiple of 5, which
     * deletes a timer an earlier record of the key set for the same time too); a timer emits (key, "timer", time,
     * watermark, records, sum) and resets the count. The twin of {@link FlinkFunctions.CountingTimers}.
     */
    static final class CountingTimers implements KeyedProcessFunction {
        static final BatchSchema STATE = BatchSchema.of(Column.of("n", ColumnType.INT64),
                Column.of("vsum", ColumnType.INT64));

        static BatchSchema output(RiffleSide r) {
            return BatchSchema.of(r.schema().column(0), Column.of("what", ColumnType.UTF8),
                    Column.of("time", ColumnType.INT64), Column.of("watermark", ColumnType.INT64),
                    Column.of("n", ColumnType.INT64), Column.of("vsum", ColumnType.INT64));
        }

        @Override
        public void processElement(Record record, Context context, Collector out) {
            Record state = context.state();
            long n = (state == null ? 0 : state.getLong(0)) + 1;
            long sum = (state == null ? 0 : state.getLong(1)) + record.getLong(1);
            context.setState(Tuple.of(n, sum));
            long timer = record.getLong(3) + 4;
            context.registerEventTimeTimer(timer);
            if (record.getLong(1) % 5 == 0) {
                context.deleteEventTimeTimer(timer);
            }
            out.collect(context.currentKey(), "element", context.timestamp(), context.currentWatermark(), n, sum);
        }

        @Override
        public void onTimer(long time, Context context, Collector out) {
            Record state = context.state();
            out.collect(context.currentKey(), "timer", time, context.currentWatermark(), state.getLong(0),
                    state.getLong(1));
            context.setState(Tuple.of(0L, state.getLong(1)));
        }
    }

    // ---- Flink's side

    private static void flinkAggregates(FlinkSide f, WindowAssigner<Object, TimeWindow> windows) {
        f.emit("sum", f.keyed(f.events()).window(windows)
                .reduce(f.sum(1), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f1)), Types.STRING));
        f.emit("min", f.keyed(f.events()).window(windows)
                .reduce(f.min(1), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f1)), Types.STRING));
        f.emit("max", f.keyed(f.events()).window(windows)
                .reduce(f.max(2), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f2)), Types.STRING));
        f.emit("count", f.keyed(f.events()).window(windows)
                .aggregate(new Count(), FlinkSide.<Long>timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v)), Types.LONG,
                        Types.LONG, Types.STRING));
        f.emit("avg", f.keyed(f.events()).window(windows)
                .aggregate(new AveragePrice(), FlinkSide.<Double>timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v)),
                        AVERAGE, Types.DOUBLE, Types.STRING));
    }

    private static void flinkCountAggregates(FlinkSide f) {
        f.emit("sum", f.keyed(f.events()).countWindow(COUNT)
                .reduce(f.sum(1), FlinkSide.countWindowRows((k, s, e, v) -> Rows.of(k, v.f1)), Types.STRING));
        f.emit("min", f.keyed(f.events()).countWindow(COUNT)
                .reduce(f.min(1), FlinkSide.countWindowRows((k, s, e, v) -> Rows.of(k, v.f1)), Types.STRING));
        f.emit("max", f.keyed(f.events()).countWindow(COUNT)
                .reduce(f.max(2), FlinkSide.countWindowRows((k, s, e, v) -> Rows.of(k, v.f2)), Types.STRING));
        f.emit("count", f.keyed(f.events()).countWindow(COUNT)
                .aggregate(new Count(), FlinkSide.<Long>countWindowRows((k, s, e, v) -> Rows.of(k, v)), Types.LONG,
                        Types.LONG, Types.STRING));
        f.emit("avg", f.keyed(f.events()).countWindow(COUNT)
                .aggregate(new AveragePrice(), FlinkSide.<Double>countWindowRows((k, s, e, v) -> Rows.of(k, v)), AVERAGE,
                        Types.DOUBLE, Types.STRING));
    }

    /** Flink's own window {@code sum(1)} over {@code first}, then summed again in tumbling CASCADE_SIZE windows. */
    private static org.apache.flink.streaming.api.datastream.DataStream<String> cascadedSum(FlinkSide f,
            WindowAssigner<Object, TimeWindow> first) {
        var sums = f.keyed(f.events()).window(first).sum(1);
        return f.keyed(sums).window(TumblingEventTimeWindows.of(CASCADE_SIZE))
                .reduce(f.sum(1), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f1)), Types.STRING);
    }

    private static void flinkLate(FlinkSide f, WindowAssigner<Object, TimeWindow> kind, Duration lateness,
                                  boolean reduce) {
        var late = new org.apache.flink.util.OutputTag<>("late", f.eventType());
        var windows = f.keyed(f.events()).window(kind).allowedLateness(lateness).sideOutputLateData(late);
        var result = reduce
                ? windows.reduce(new Combine(), FlinkSide.timeWindowRows(Cases::recordInWindow), Types.STRING)
                : windows.reduce(f.sum(1), FlinkSide.timeWindowRows((k, s, e, v) -> Rows.of(k, s, e, v.f1)),
                        Types.STRING);
        f.emit(result);
        f.emit("late", records(result.getSideOutput(late)));
    }

    /** A reduced record with its window's bounds appended, as Riffle's window reduce emits it. */
    private static String recordInWindow(Object key, long start, long end, Tuple4<Object, Long, Double, Long> e) {
        return Rows.of(e.f0, e.f1, e.f2, e.f3, start, end);
    }

    private static String statsInWindow(Object key, long start, long end,
                                        Tuple3<Long, Long, Double> v) {
        return Rows.of(key, start, end, v.f0, v.f1, v.f2);
    }

    static String record(Tuple4<Object, Long, Double, Long> e) {
        return Rows.of(e.f0, e.f1, e.f2, e.f3);
    }

    /** Each event as a row of its four fields. */
    static org.apache.flink.streaming.api.datastream.DataStream<String> records(
            org.apache.flink.streaming.api.datastream.DataStream<Tuple4<Object, Long, Double, Long>> events) {
        return events.map(Cases::record).returns(Types.STRING);
    }

    /** (key, field) per event: a batch aggregation's final record as Riffle's batch aggregation emits it. */
    private static org.apache.flink.streaming.api.datastream.DataStream<String> keyAndField(
            org.apache.flink.streaming.api.datastream.DataStream<Tuple4<Object, Long, Double, Long>> events, int field) {
        return events.map(e -> Rows.of(e.f0, e.getField(field))).returns(Types.STRING);
    }
}
