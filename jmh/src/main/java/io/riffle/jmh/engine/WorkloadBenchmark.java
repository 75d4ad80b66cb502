package io.riffle.jmh.engine;

import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.engine.Environment;
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
 * The workloads end to end, records per second: W1 (streaming keyBy(key).sum(value), a running sum
 * emitted per record and counted at a batch sink) and W2 (batch groupBy(key).sum(value)), N = 20 M
 * records, key = i mod K, value = i, K = 10 k, each invocation one whole job (planning, threads, memory
 * and teardown included). The baseline in the same class is the plain-Java single-thread program a
 * developer would write first: a {@code HashMap<Long, long[]>} fed by a loop, with the same output
 * (a running sum per record, counted; or the final sums).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class WorkloadBenchmark {
    static final int RECORDS = 20_000_000;
    static final int KEYS = 10_000;

    @Param({"1", "2"})
    public int parallelism;

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w1KeyedRunningSum() {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism);
        AtomicLong emitted = new AtomicLong();
        env.generate(RECORDS, KEYS).keyBy(0).sum(1).forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        env.execute("w1");
        return check(emitted.get(), RECORDS);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w2BatchGroupSum() {
        Environment env = Environment.batch().setParallelism(parallelism).setWorkers(parallelism);
        AtomicLong groups = new AtomicLong();
        env.generate(RECORDS, KEYS).groupBy(0).sum(1).forEachBatch(b -> groups.addAndGet(b.rowCount()));
        env.execute("w2");
        return check(groups.get(), KEYS);
    }

    /** Baseline for W1: the running sum per record through a HashMap, one thread (parallelism ignored). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w1HashMapBaseline() {
        HashMap<Long, long[]> sums = new HashMap<>();
        long checksum = 0;
        for (long i = 0; i < RECORDS; i++) {
            long[] sum = sums.computeIfAbsent(i % KEYS, k -> new long[1]);
            sum[0] += i;
            checksum += sum[0];
        }
        return checksum;
    }

    /** Baseline for W2: the final sums through a HashMap, one thread (parallelism ignored). */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w2HashMapBaseline() {
        HashMap<Long, long[]> sums = new HashMap<>();
        for (long i = 0; i < RECORDS; i++) {
            sums.computeIfAbsent(i % KEYS, k -> new long[1])[0] += i;
        }
        return check(sums.size(), KEYS);
    }

    private static long check(long actual, long expected) {
        if (actual != expected) {
            throw new IllegalStateException("expected " + expected + " output records, got " + actual);
        }
        return actual;
    }
}
