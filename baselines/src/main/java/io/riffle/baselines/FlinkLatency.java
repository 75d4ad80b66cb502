package io.riffle.baselines;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.bench.LatencyRecorder;
import io.riffle.bench.LatencyRun;
import io.riffle.bench.LatencySetup;
import io.riffle.bench.PacedSchedule;
import io.riffle.bench.ScratchDirectory;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * L1 on Apache Flink's local environment, the job Riffle's {@code RiffleLatency} runs: a paced source,
 * keyBy(key) and a running sum of value, and a sink that adds each result's latency to a
 * {@link LatencyRecorder} (one {@link System#nanoTime()} per record, as Flink hands them over one at a
 * time), with a checkpoint every {@code setup.checkpointInterval()} into a temporary directory deleted
 * after (hashmap state backend, filesystem checkpoint storage), parallelism {@code setup.parallelism()},
 * object reuse on. Two variants: {@code buffer-timeout-0} ({@code setBufferTimeout(0)}: a network buffer
 * goes out after every record) and {@code buffer-timeout-default} (Flink's 100 ms).
 *
 * <p>The pacing follows Riffle's schedule: {@code fromSequence(0, N - 1)} hands each subtask a range of
 * record numbers, and a map chained to the source paces them. Subtask {@code s} of {@code p} gives its
 * {@code k}-th record slot {@code k * p + s} of the {@link PacedSchedule} (the slot Riffle's subtask
 * {@code s} gives its {@code k}-th record), so each subtask paces its share at {@code rate / p}, all from
 * one epoch; it busy-waits until the slot's time and then emits {@code (i mod K, i, scheduled_ns)} for its
 * record number {@code i}. When {@code p} divides {@code N} every subtask's range has {@code N / p}
 * records and the slots are exactly {@code 0 .. N - 1}; otherwise ranges differ by one record and the
 * slots can be off by one stride at the end, so the measured count can differ from
 * {@code records - warmup} by less than {@code p}.
 *
 * <p>The sum is a reduce that adds value and keeps the incoming record's scheduled_ns: Flink's own
 * {@code sum(1)} copies the key's stored tuple, so its results would carry the key's first record's
 * scheduled_ns. Checkpoints are counted as Flink notifies source subtask 0 of their completion, so those
 * that complete after the sources finished are not in the count.
 *
 * <pre>{@code
 * for (String variant : FlinkLatency.VARIANTS) {
 *     LatencyRun run = FlinkLatency.measure(variant, setup);
 * }
 * }</pre>
 */
public final class FlinkLatency {
    public static final String BUFFER_TIMEOUT_0 = "buffer-timeout-0";
    public static final String BUFFER_TIMEOUT_DEFAULT = "buffer-timeout-default";
    /** Flink's L1 configurations. */
    public static final List<String> VARIANTS = List.of(BUFFER_TIMEOUT_0, BUFFER_TIMEOUT_DEFAULT);

    /** What the run in progress paces by and records into: Flink's functions are copies, so they find it here. */
    private record Measurement(PacedSchedule schedule, LatencyRecorder recorder, AtomicLong checkpoints) {
    }

    private static volatile Measurement current;

    private FlinkLatency() {
    }

    /** Runs L1 once in {@code variant}, one of {@link #VARIANTS}. */
    public static LatencyRun measure(String variant, LatencySetup setup) throws Exception {
        return measure(variant, setup, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Like {@link #measure(String, LatencySetup)}, with the checkpoint directory made (and deleted) in {@code scratchParent}. */
    static LatencyRun measure(String variant, LatencySetup setup, Path scratchParent) throws Exception {
        if (!VARIANTS.contains(variant)) {
            throw new IllegalArgumentException("Flink's L1 variants are " + VARIANTS + ", not '" + variant + "'");
        }
        PacedSchedule schedule = new PacedSchedule(setup.recordsPerSecond(), setup.records());
        Measurement measurement = new Measurement(schedule, new LatencyRecorder(schedule, setup.warmupRecords()),
                new AtomicLong());
        current = measurement;
        try (ScratchDirectory checkpoints = ScratchDirectory.create(scratchParent, "flink-l1-")) {
            Configuration conf = new Configuration();
            conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
            conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.path().toUri().toString());
            // A restart would replay records against a schedule that went on: fail the run instead.
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(setup.parallelism(),
                    conf);
            env.getConfig().enableObjectReuse();
            env.enableCheckpointing(setup.checkpointInterval().toMillis());
            if (variant.equals(BUFFER_TIMEOUT_0)) {
                env.setBufferTimeout(0);
            }
            env.fromSequence(0, setup.records() - 1).map(new Pace(setup.keys()))
                    .keyBy(t -> t.f0, Types.LONG).reduce(new SumKeepingSchedule())
                    .sinkTo(new LatencySink());
            env.execute("flink-L1-" + variant);
            return measurement.recorder().result("flink", variant, setup, measurement.checkpoints().get());
        } finally {
            current = null;
        }
    }

    /**
     * Paces one subtask's records onto its slots of the schedule (see the class comment) and emits
     * {@code (i mod K, i, scheduled_ns)}; on subtask 0 it also counts completed checkpoints.
     */
    private static final class Pace extends RichMapFunction<Long, Tuple3<Long, Long, Long>>
            implements CheckpointListener {
        private final long keys;
        private final Tuple3<Long, Long, Long> reused = new Tuple3<>();
        private transient Measurement measurement;
        private transient int subtask;
        private transient long slot;
        private transient long stride;
        private transient boolean started;
        private transient long epoch;
        private transient long lastEmitNanos;

        Pace(long keys) {
            this.keys = keys;
        }

        @Override
        public void open(OpenContext context) {
            measurement = current;
            subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            slot = subtask;
            stride = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        }

        @Override
        public Tuple3<Long, Long, Long> map(Long i) {
            if (!started) {
                epoch = measurement.schedule().start();
                started = true;
            }
            long due = epoch + measurement.schedule().offsetNanos(slot);
            long now;
            // Compared as a difference: nanoTime values may wrap.
            while ((now = System.nanoTime()) - due < 0) {
                Thread.onSpinWait();
            }
            slot += stride;
            lastEmitNanos = now;
            reused.f0 = i % keys;
            reused.f1 = i;
            reused.f2 = due;
            return reused;
        }

        @Override
        public void close() {
            if (started) {
                measurement.schedule().finished(lastEmitNanos);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            if (subtask == 0) {
                measurement.checkpoints().incrementAndGet();
            }
        }
    }

    /** The running sum of value, with the scheduled_ns of the record just added. */
    private static final class SumKeepingSchedule implements ReduceFunction<Tuple3<Long, Long, Long>> {
        @Override
        public Tuple3<Long, Long, Long> reduce(Tuple3<Long, Long, Long> sum, Tuple3<Long, Long, Long> record) {
            sum.f1 += record.f1;
            sum.f2 = record.f2;
            return sum;
        }
    }

    /** Adds each result's latency to the run's recorder, a part per sink subtask. */
    private static final class LatencySink implements Sink<Tuple3<Long, Long, Long>> {
        @Override
        public SinkWriter<Tuple3<Long, Long, Long>> createWriter(WriterInitContext context) {
            LatencyRecorder.Part latencies = current.recorder().part();
            return new SinkWriter<>() {
                @Override
                public void write(Tuple3<Long, Long, Long> t, Context context) {
                    latencies.record(t.f2, System.nanoTime());
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
