package io.riffle.baselines;

import java.time.Duration;

import io.riffle.bench.Checksum;
import io.riffle.bench.Contender;
import io.riffle.bench.Run;
import io.riffle.bench.Workload;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The workloads on Apache Flink's local environment, at the given parallelism, object reuse on, its defaults
 * otherwise. Records come from {@code fromSequence(0, N - 1)} mapped to (key, value, timestamp) tuples;
 * results go to a sink that only adds them to the run's {@link Checksum} (one JVM: the local environment runs
 * the sink subtasks in this process).
 */
public final class FlinkWorkloads implements Contender {
    /** Where the sinks of the run in progress add their rows (runs are one at a time). */
    private static volatile Checksum current;

    @Override
    public String name() {
        return "flink";
    }

    @Override
    public boolean runs(Workload workload) {
        return true;
    }

    @Override
    public Run run(Workload workload, long records, long keys, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
        env.getConfig().enableObjectReuse();
        env.setRuntimeMode(workload.isBatch() ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        DataStream<Tuple3<Long, Long, Long>> input = env.fromSequence(0, records - 1).map(new Generate(keys));
        Checksum checksum = new Checksum(keys);
        current = checksum;
        switch (workload) {
            case W1 -> input.keyBy(new ByKey()).sum(1).sinkTo(new ChecksumSink(Rows.RUNNING));
            case W2 -> input.keyBy(new ByKey()).sum(1).sinkTo(new ChecksumSink(Rows.KEY_SUM));
            case W3 -> input.assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<Long, Long, Long>>forMonotonousTimestamps()
                            .withTimestampAssigner((e, t) -> e.f2))
                    .keyBy(new ByKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(Workload.WINDOW_MS)))
                    .reduce(new SumValues(), new WithWindowStart()).sinkTo(new ChecksumSink(Rows.KEY_START_SUM));
            default -> throw new IllegalArgumentException("no Flink job for " + workload);
        }
        long start = System.nanoTime();
        env.execute("flink-" + workload);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Run("flink", workload, records, keys, parallelism, seconds, checksum.rows(), checksum.value());
    }

    /** Record i: (i mod K, i, i). */
    private static final class Generate implements MapFunction<Long, Tuple3<Long, Long, Long>> {
        private final long keys;
        private final Tuple3<Long, Long, Long> reused = new Tuple3<>();

        Generate(long keys) {
            this.keys = keys;
        }

        @Override
        public Tuple3<Long, Long, Long> map(Long i) {
            reused.f0 = i % keys;
            reused.f1 = i;
            reused.f2 = i;
            return reused;
        }
    }

    private static final class ByKey implements KeySelector<Tuple3<Long, Long, Long>, Long> {
        @Override
        public Long getKey(Tuple3<Long, Long, Long> t) {
            return t.f0;
        }
    }

    private static final class SumValues implements ReduceFunction<Tuple3<Long, Long, Long>> {
        @Override
        public Tuple3<Long, Long, Long> reduce(Tuple3<Long, Long, Long> a, Tuple3<Long, Long, Long> b) {
            a.f1 += b.f1;
            return a;
        }
    }

    /** A window's sum as (key, window start, sum). */
    private static final class WithWindowStart
            extends ProcessWindowFunction<Tuple3<Long, Long, Long>, Tuple3<Long, Long, Long>, Long, TimeWindow> {
        @Override
        public void process(Long key, Context context, Iterable<Tuple3<Long, Long, Long>> sums,
                            Collector<Tuple3<Long, Long, Long>> out) {
            for (Tuple3<Long, Long, Long> s : sums) {
                out.collect(Tuple3.of(key, context.window().getStart(), s.f1));
            }
        }
    }

    /** What a workload's result tuples hold. */
    private enum Rows {
        /** (key, running sum, ...): W1. */
        RUNNING,
        /** (key, sum, ...): W2. */
        KEY_SUM,
        /** (key, window start, sum): W3. */
        KEY_START_SUM
    }

    /** Adds each result tuple to the run's checksum. */
    private static final class ChecksumSink implements Sink<Tuple3<Long, Long, Long>> {
        private final Rows rows;

        ChecksumSink(Rows rows) {
            this.rows = rows;
        }

        @Override
        public SinkWriter<Tuple3<Long, Long, Long>> createWriter(WriterInitContext context) {
            Checksum.Part checksum = current.part();
            return new SinkWriter<>() {
                @Override
                public void write(Tuple3<Long, Long, Long> t, Context context) {
                    switch (rows) {
                        case RUNNING -> checksum.addRunning(t.f0, t.f1);
                        case KEY_SUM -> checksum.add(t.f0, t.f1);
                        default -> checksum.add(t.f0, t.f1, t.f2);
                    }
                }

                @Override
                public void flush(boolean endOfInput) {
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
