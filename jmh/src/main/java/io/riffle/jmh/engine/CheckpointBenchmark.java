package io.riffle.jmh.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.riffle.engine.Environment;
import io.riffle.engine.JobResult;
import io.riffle.jmh.Jvm;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W1 (streaming keyBy(key).sum(value), every running sum emitted) with a checkpoint every second against
 * the same job without checkpoints (the baseline), N = 200 M records so that a run spans several
 * checkpoints, K keys. The checkpointed run also reports, as auxiliary counters, the checkpoints it
 * completed and the longest synchronous pause of any subtask.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class CheckpointBenchmark {
    static final long RECORDS = 200_000_000;

    @Param({"2"})
    public int parallelism;

    @Param({"10000", "1000000"})
    public long keys;

    private Path directory;

    /** What the checkpointed runs report beside their throughput. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Checkpoints {
        public long checkpoints;
        public long maxPauseMicros;
    }

    @Setup(Level.Invocation)
    public void directory() throws IOException {
        directory = Files.createTempDirectory("riffle-checkpoint-bench");
    }

    @TearDown(Level.Invocation)
    public void delete() throws IOException {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation((int) RECORDS)
    public long w1CheckpointEverySecond(Checkpoints counters) {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism)
                .enableCheckpointing(Duration.ofSeconds(1), directory);
        AtomicLong emitted = new AtomicLong();
        env.generate(RECORDS, keys).keyBy(0).sum(1).forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        var job = env.executeAsync("w1-checkpointed");
        JobResult result = job.await();
        counters.checkpoints += result.checkpoints();
        counters.maxPauseMicros = Math.max(counters.maxPauseMicros, job.maxCheckpointPauseNanos() / 1000);
        return emitted.get();
    }

    @Benchmark
    @OperationsPerInvocation((int) RECORDS)
    public long w1NoCheckpoints() {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism);
        AtomicLong emitted = new AtomicLong();
        env.generate(RECORDS, keys).keyBy(0).sum(1).forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        env.execute("w1");
        return emitted.get();
    }
}
