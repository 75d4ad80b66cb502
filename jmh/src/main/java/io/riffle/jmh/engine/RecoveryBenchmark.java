package io.riffle.jmh.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.engine.JobHandle;
import io.riffle.jmh.Jvm;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * C1 inside a running job: W1 ({@code generate(∞, K).keyBy(key).sum(value)}, unpaced, every running sum
 * emitted) with K keys of state. {@link #checkpoint} times one on-demand checkpoint of the running job
 * (trigger to manifest) and reports its bytes and its longest synchronous pause of a subtask (auxiliary
 * counters, summed by JMH over the iterations: divide by the count); {@link
 * #recoverToFirstOutput} times a new job restored from a savepoint of that state, from start until its
 * first output batch reaches the sink: the state read back by key group, the source rewound, the first
 * batch through. Each is single-shot: one checkpoint or one recovery per sample.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms2g", "-Xmx2g", "-XX:+UseParallelGC"})
public class RecoveryBenchmark {
    /** The state's size: keys of (int64 key, int64 running sum). */
    @State(Scope.Benchmark)
    public static class Keys {
        @Param({"1000000", "10000000", "50000000"})
        public long keys;

        @Param({"2"})
        public int parallelism;
    }

    /** What a checkpoint reports beside its duration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Written {
        public long bytes;
        public long pauseMicros;
    }

    /** W1 running with every key in its state: what {@link #checkpoint} checkpoints. */
    @State(Scope.Benchmark)
    public static class RunningJob {
        Path directory;
        JobHandle job;

        @Setup(Level.Trial)
        public void start(Keys k) throws IOException {
            directory = Files.createTempDirectory("riffle-recovery-bench");
            job = startW1(k, directory, null, new AtomicLong(), null);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            stopAndDelete(job, directory);
        }
    }

    /** A savepoint of W1 with every key in its state: what {@link #recoverToFirstOutput} restores. */
    @State(Scope.Benchmark)
    public static class Savepoint {
        Path directory;
        Path savepoint;
        JobHandle restored;

        @Setup(Level.Trial)
        public void take(Keys k) throws Exception {
            directory = Files.createTempDirectory("riffle-recovery-bench");
            JobHandle job = startW1(k, directory.resolve("first"), null, new AtomicLong(), null);
            savepoint = directory.resolve("first").resolve("savepoint-" + job.triggerSavepoint().get());
            stopAndDelete(job, null);
        }

        @TearDown(Level.Invocation)
        public void stopRestored() throws IOException {
            stopAndDelete(restored, null);
            restored = null;
        }

        @TearDown(Level.Trial)
        public void delete() throws IOException {
            stopAndDelete(null, directory);
        }
    }

    /**
     * Starts W1 (from {@code savepoint} when given) and, for a fresh start, returns once every key is in
     * the state; {@code firstOutput} (when given) counts down at the first batch the sink sees.
     */
    static JobHandle startW1(Keys k, Path checkpoints, Path savepoint, AtomicLong emitted, CountDownLatch firstOutput) {
        Environment env = Environment.streaming().setParallelism(k.parallelism).setWorkers(k.parallelism)
                .enableCheckpointing(Duration.ZERO, checkpoints);
        if (savepoint != null) {
            env.restoreFrom(savepoint);
        }
        env.generate(Long.MAX_VALUE, k.keys).keyBy(0).sum(1).forEachBatch(b -> {
            emitted.addAndGet(b.rowCount());
            if (firstOutput != null) {
                firstOutput.countDown();
            }
        });
        JobHandle job = env.executeAsync("w1-recovery");
        while (savepoint == null && emitted.get() < k.keys) {
            if (job.isDone()) {
                job.await();
            }
            LockSupport.parkNanos(1_000_000);
        }
        return job;
    }

    static void stopAndDelete(JobHandle job, Path directory) throws IOException {
        if (job != null) {
            job.cancel();
            try {
                job.await();
            } catch (JobFailedException expected) {
                // Cancelled.
            }
        }
        if (directory != null) {
            try (Stream<Path> walk = Files.walk(directory)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    public long checkpoint(RunningJob running, Written written) throws Exception {
        long id = running.job.triggerCheckpoint().get();
        written.bytes = running.job.lastCheckpointBytes();
        written.pauseMicros = running.job.lastCheckpointPauseNanos() / 1000;
        return id;
    }

    @Benchmark
    public long recoverToFirstOutput(Keys k, Savepoint s) throws Exception {
        CountDownLatch firstOutput = new CountDownLatch(1);
        s.restored = startW1(k, s.directory.resolve("restored-" + System.nanoTime()), s.savepoint, new AtomicLong(),
                firstOutput);
        firstOutput.await();
        return firstOutput.getCount();
    }
}
