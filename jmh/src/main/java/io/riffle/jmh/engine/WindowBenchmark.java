package io.riffle.jmh.engine;

import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.engine.Environment;
import io.riffle.engine.Tuple;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.Windows;
import io.riffle.jmh.Jvm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * W3, records per second: generated records (key i mod K, value i, timestamp i ms) with monotonous
 * watermarks, keyBy(key), 100 s event-time windows summing value: tumbling, and sliding every 10 s (each
 * record in 10 windows). N = 50 M records (500 tumbling windows), K keys; each invocation a whole job.
 * The baseline in the same class is the single-thread plain-Java program: a HashMap per open window,
 * emitted and dropped when the next window starts (records arrive in time order). {@code w3TumblingReduce}
 * runs the tumbling job with a user reduce function instead of the vectorized sum.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class WindowBenchmark {
    static final int RECORDS = 50_000_000;
    static final long WINDOW_MS = 100_000;
    static final long SLIDE_MS = 10_000;

    @Param({"2"})
    public int parallelism;

    @Param({"1000"})
    public int keys;

    private long run(Windows windows) {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism);
        AtomicLong emitted = new AtomicLong();
        env.generate(RECORDS, keys).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(windows).sum("value").forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        env.execute("w3");
        return emitted.get();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w3Tumbling() {
        return run(Windows.tumbling(Duration.ofMillis(WINDOW_MS)));
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w3Sliding() {
        return run(Windows.sliding(Duration.ofMillis(WINDOW_MS), Duration.ofMillis(SLIDE_MS)));
    }

    /** W3 tumbling with a user ReduceFunction summing the value: the row-level path beside the vectorized sum. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w3TumblingReduce() {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism);
        AtomicLong emitted = new AtomicLong();
        env.generate(RECORDS, keys).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(Windows.tumbling(Duration.ofMillis(WINDOW_MS)))
                .reduce((a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1), a.field(2)))
                .forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        env.execute("w3-reduce");
        return emitted.get();
    }

    /** Baseline for tumbling W3: one HashMap per window, one thread (parallelism ignored). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w3HashMapBaseline() {
        HashMap<Long, long[]> window = new HashMap<>();
        long windowStart = 0;
        long checksum = 0;
        for (long i = 0; i < RECORDS; i++) {
            long start = i - i % WINDOW_MS;
            if (start != windowStart) {
                for (long[] sum : window.values()) {
                    checksum += sum[0];
                }
                window = new HashMap<>();
                windowStart = start;
            }
            window.computeIfAbsent(i % keys, k -> new long[1])[0] += i;
        }
        for (long[] sum : window.values()) {
            checksum += sum[0];
        }
        return checksum;
    }
}
