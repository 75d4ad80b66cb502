package io.riffle.bench;

import java.io.IOException;
import java.nio.file.Path;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.DataStream;
import io.riffle.engine.Environment;
import io.riffle.engine.JobResult;
import io.riffle.engine.Tuple;
import io.riffle.scheduler.IdleMode;
import org.apache.arrow.vector.BigIntVector;

/**
 * L1 on Riffle: a {@link LatencySource} paced at the setup's rate, keyBy(key) with a running sum of value
 * keeping the scheduled_ns of the record just added ({@link #runningSum}), and a sink that
 * adds each result row's latency to a {@link LatencyRecorder}, with a checkpoint every
 * {@code setup.checkpointInterval()}. The settings are the ones a latency-critical user would pick:
 * parallelism {@code setup.parallelism()}, a worker thread for each of the job's {@code 2 * parallelism}
 * subtasks (source; sum and sink chained) so that no subtask waits for another's turn, as far as there
 * are cores, and busy-spinning idle workers (no park and wake-up on a hand-off); the rest at the
 * defaults (the paced source makes its batches as small as the pace). A sink batch arrives at once, so
 * one {@link System#nanoTime()} per batch times all its rows.
 *
 * <pre>{@code
 * LatencyRun run = RiffleLatency.measure(new LatencySetup(1_000_000, 60_000_000, 10_000_000, 1_000, 2,
 *         Duration.ofSeconds(1)));
 * }</pre>
 */
public final class RiffleLatency {
    /** Riffle's one L1 configuration. */
    public static final String VARIANT = "default";

    private RiffleLatency() {
    }

    /** Runs L1 once, with checkpoints in a temporary directory that is deleted after. */
    public static LatencyRun measure(LatencySetup setup) throws IOException {
        return measure(setup, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** Like {@link #measure(LatencySetup)}, with the checkpoint directory made (and deleted) in {@code scratchParent}. */
    static LatencyRun measure(LatencySetup setup, Path scratchParent) throws IOException {
        PacedSchedule schedule = new PacedSchedule(setup.recordsPerSecond(), setup.records());
        LatencyRecorder recorder = new LatencyRecorder(schedule, setup.warmupRecords());
        try (ScratchDirectory checkpoints = ScratchDirectory.create(scratchParent, "riffle-l1-")) {
            Environment env = Environment.streaming()
                    .setParallelism(setup.parallelism())
                    .setWorkers(workers(setup.parallelism(), Runtime.getRuntime().availableProcessors()))
                    .setIdleMode(IdleMode.BUSY_SPIN)
                    .enableCheckpointing(setup.checkpointInterval(), checkpoints.path());
            runningSum(env.fromSource(new LatencySource(schedule, setup.keys())))
                    .forEachBatch(b -> record(b, recorder.forThisThread()));
            JobResult result = env.execute("riffle-L1");
            return recorder.result("riffle", VARIANT, setup, result.checkpoints());
        }
    }

    /**
     * A spinning worker per subtask where the cores allow, leaving one core to the checkpoint writer, the
     * JIT and GC: a spinning thread that the OS preempts for them stalls its records for a time slice.
     */
    static int workers(int parallelism, int cores) {
        return Math.max(1, Math.min(2 * parallelism, cores - 1));
    }

    /**
     * L1's job: per key, the running sum of value with the scheduled_ns of the record just added, the same
     * reduce as Flink's L1 ({@code sum(value)} alone keeps the key's first record's scheduled_ns, on both
     * engines). A key's records reach the reduce from several source subtasks, so no running aggregate of
     * scheduled_ns (a max) would name the record just added.
     */
    static DataStream runningSum(DataStream records) {
        return records.keyBy("key").reduce((sum, record) -> Tuple.of(sum.getLong(0),
                sum.getLong(1) + record.getLong(1), record.getLong(2)));
    }

    /** Rows of {@link #runningSum}: (key, running sum, scheduled_ns), the input record's scheduled_ns kept. */
    private static void record(RecordBatch b, LatencyRecorder.Part latencies) {
        long now = System.nanoTime();
        BigIntVector scheduled = b.int64(2);
        for (int r = 0; r < b.rowCount(); r++) {
            latencies.record(scheduled.get(r), now);
        }
    }
}
