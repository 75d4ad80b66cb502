package io.riffle.baselines;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.riffle.bench.Checksum;
import io.riffle.bench.Contender;
import io.riffle.bench.LatencyRun;
import io.riffle.bench.LatencySetup;
import io.riffle.bench.Run;
import io.riffle.bench.Workload;
import io.riffle.engine.connector.ZipfText;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.JoinFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The workloads on Apache Flink's local environment, at the given parallelism, object reuse on, its defaults
 * otherwise; the batch ones (W2, W4, W5) in batch runtime mode. Records come from
 * {@code fromSequence(0, N - 1)} mapped to (key, value, timestamp) tuples, W4's to (word, 1) by
 * {@link ZipfText}; W5 joins them with {@code fromSequence(0, K - 1)}'s customers in a window join over the
 * whole input. Results go to a sink that only adds them to the run's {@link Checksum} (one JVM: the local
 * environment runs the sink subtasks in this process).
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
    public List<String> latencyVariants() {
        return FlinkLatency.VARIANTS;
    }

    @Override
    public LatencyRun latency(String variant, LatencySetup setup) throws Exception {
        return FlinkLatency.measure(variant, setup);
    }

    @Override
    public Run run(Workload workload, long records, long keys, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
        env.getConfig().enableObjectReuse();
        env.setRuntimeMode(workload.isBatch() ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        Checksum checksum = new Checksum(keys);
        current = checksum;
        switch (workload) {
            case W1 -> generate(env, records, keys).keyBy(new ByKey()).sum(1)
                    .sinkTo(new ChecksumSink<>((t, c) -> c.addRunning(t.f0, t.f1)));
            case W2 -> generate(env, records, keys).keyBy(new ByKey()).sum(1).sinkTo(keySums());
            case W3 -> generate(env, records, keys)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<Long, Long, Long>>forMonotonousTimestamps()
                            .withTimestampAssigner((e, t) -> e.f2))
                    .keyBy(new ByKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(Workload.WINDOW_MS)))
                    .reduce(new SumValues(), new WithWindowStart())
                    .sinkTo(new ChecksumSink<>((t, c) -> c.add(t.f0, t.f1, t.f2)));
            case W4 -> env.fromSequence(0, records - 1).map(new ZipfWord(Math.toIntExact(keys)))
                    .keyBy(new ByWord()).sum(1)
                    .sinkTo(new ChecksumSink<>(FlinkWorkloads::addWordCount));
            case W5 -> generate(env, records, keys).join(generate(env, keys, keys))
                    .where(new ByKey()).equalTo(new ByKey())
                    .window(GlobalWindows.createWithEndOfStreamTrigger()).apply(new CustomerAmount())
                    .keyBy(new ByKey()).sum(1).sinkTo(keySums());
            default -> throw new IllegalArgumentException("no Flink job for " + workload);
        }
        long start = System.nanoTime();
        env.execute("flink-" + workload);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Run("flink", workload, records, keys, parallelism, seconds, checksum.rows(), checksum.value());
    }

    /** The generator's records {@code 0 .. n - 1} over {@code keys} keys. */
    private static DataStream<Tuple3<Long, Long, Long>> generate(StreamExecutionEnvironment env, long n, long keys) {
        return env.fromSequence(0, n - 1).map(new Generate(keys));
    }

    /** A sink of (key, sum, ...) rows: W2 and W5. */
    private static ChecksumSink<Tuple3<Long, Long, Long>> keySums() {
        return new ChecksumSink<>((t, c) -> c.add(t.f0, t.f1));
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

    /**
     * Word i of the Zipf text as (word, 1): each subtask builds the generator and the vocabulary's strings
     * once, in {@link #open}, and a record costs a rank lookup.
     */
    private static final class ZipfWord extends RichMapFunction<Long, Tuple2<String, Long>> {
        private final int vocabulary;
        private final Tuple2<String, Long> reused = new Tuple2<>();
        private transient ZipfText text;
        private transient String[] words;

        ZipfWord(int vocabulary) {
            this.vocabulary = vocabulary;
        }

        @Override
        public void open(OpenContext context) {
            text = new ZipfText(vocabulary);
            words = new String[vocabulary];
            for (int r = 0; r < vocabulary; r++) {
                words[r] = ZipfText.word(r);
            }
        }

        @Override
        public Tuple2<String, Long> map(Long i) {
            reused.f0 = words[text.rank(i)];
            reused.f1 = 1L;
            return reused;
        }
    }

    private static final class ByWord implements KeySelector<Tuple2<String, Long>, String> {
        @Override
        public String getKey(Tuple2<String, Long> t) {
            return t.f0;
        }
    }

    /**
     * A joined (order, customer) pair as (customer id, amount, customer value). W5 is a window join over
     * one window that closes at the end of input, as Flink's guide to moving DataSet jobs to the DataStream
     * API writes a batch join (its {@code EndOfStreamWindows} is
     * {@code GlobalWindows.createWithEndOfStreamTrigger()} in Flink 2): the DataStream API's own join, where
     * broadcast state would be a hand-made map-side join. In batch mode Flink sorts both inputs by key, so a
     * key's orders and its customer are buffered, joined and dropped before the next key's.
     */
    private static final class CustomerAmount
            implements JoinFunction<Tuple3<Long, Long, Long>, Tuple3<Long, Long, Long>, Tuple3<Long, Long, Long>> {
        private final Tuple3<Long, Long, Long> reused = new Tuple3<>();

        @Override
        public Tuple3<Long, Long, Long> join(Tuple3<Long, Long, Long> order, Tuple3<Long, Long, Long> customer) {
            reused.f0 = customer.f0;
            reused.f1 = order.f1;
            reused.f2 = customer.f1;
            return reused;
        }
    }

    /** A (word, count) row: W4. */
    private static void addWordCount(Tuple2<String, Long> row, Checksum.Part checksum) {
        byte[] word = row.f0.getBytes(StandardCharsets.UTF_8);
        checksum.add(Checksum.utf8(word, 0, word.length), row.f1);
    }

    /** How a result row goes into the run's checksum. */
    private interface RowChecksum<T> extends Serializable {
        void add(T row, Checksum.Part checksum);
    }

    /** Adds each result row to the run's checksum. */
    private static final class ChecksumSink<T> implements Sink<T> {
        private final RowChecksum<T> rows;

        ChecksumSink(RowChecksum<T> rows) {
            this.rows = rows;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Checksum.Part checksum = current.part();
            return new SinkWriter<>() {
                @Override
                public void write(T row, Context context) {
                    rows.add(row, checksum);
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
