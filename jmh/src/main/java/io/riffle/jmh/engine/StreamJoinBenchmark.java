package io.riffle.jmh.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.engine.DataStream;
import io.riffle.engine.Environment;
import io.riffle.engine.KeyedStream;
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
 * Stream joins, input records per second: two generated streams of N = 5 M records each (key i mod K,
 * value i, timestamp i ms) with monotonous watermarks, keyed by key and joined: an interval join of
 * [-20 ms, +10 ms] and a window join in 25 ms tumbling windows; each invocation a whole job. The baseline
 * in the same class is the single-thread plain-Java interval join: records in time order, per key a deque
 * of each side's recent records, evicted once too old to match.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class StreamJoinBenchmark {
    static final int RECORDS = 5_000_000;
    static final long LOWER = -20;
    static final long UPPER = 10;

    @Param({"2"})
    public int parallelism;

    @Param({"10000"})
    public int keys;

    private long run(boolean window) {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism);
        KeyedStream left = env.generate(RECORDS, keys)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp")).keyBy("key");
        KeyedStream right = env.generate(RECORDS, keys)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp")).keyBy("key");
        DataStream joined = window ? left.windowJoin(right, Windows.tumbling(Duration.ofMillis(25)))
                : left.intervalJoin(right, Duration.ofMillis(LOWER), Duration.ofMillis(UPPER));
        AtomicLong pairs = new AtomicLong();
        joined.forEachBatch(b -> pairs.addAndGet(b.rowCount()));
        env.execute(window ? "window-join" : "interval-join");
        return pairs.get();
    }

    @Benchmark
    @OperationsPerInvocation(2 * RECORDS)
    public long intervalJoin() {
        return run(false);
    }

    @Benchmark
    @OperationsPerInvocation(2 * RECORDS)
    public long windowJoin() {
        return run(true);
    }

    /** Baseline for the interval join: one thread, left record i then right record i, deques of (time, value) per key. */
    @Benchmark
    @OperationsPerInvocation(2 * RECORDS)
    public long intervalJoinBaseline() {
        HashMap<Long, ArrayDeque<long[]>> lefts = new HashMap<>();
        HashMap<Long, ArrayDeque<long[]>> rights = new HashMap<>();
        long checksum = 0;
        for (long i = 0; i < RECORDS; i++) {
            Long key = i % keys;
            // Left record i pairs with the right records so far with a time in [i + LOWER, i + UPPER].
            ArrayDeque<long[]> r = rights.computeIfAbsent(key, k -> new ArrayDeque<>());
            while (!r.isEmpty() && r.peekFirst()[0] < i + LOWER) {
                r.pollFirst();
            }
            for (long[] row : r) {
                if (row[0] <= i + UPPER) {
                    checksum += i ^ row[1];
                }
            }
            ArrayDeque<long[]> l = lefts.computeIfAbsent(key, k -> new ArrayDeque<>());
            while (!l.isEmpty() && l.peekFirst()[0] + UPPER < i) {
                l.pollFirst();
            }
            l.addLast(new long[] {i, i});
            // Right record i pairs with the left records so far with a time in [i - UPPER, i - LOWER].
            for (long[] row : l) {
                if (i - row[0] >= LOWER && i - row[0] <= UPPER) {
                    checksum += row[1] ^ i;
                }
            }
            r.addLast(new long[] {i, i});
        }
        return checksum;
    }
}
