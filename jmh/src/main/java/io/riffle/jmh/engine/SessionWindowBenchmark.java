package io.riffle.jmh.engine;

import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.engine.Environment;
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
 * W3 over session windows, records per second: generated records (key i mod K, value i, timestamp i ms)
 * with monotonous watermarks, keyBy(key), session windows summing value. Each key's records are K ms
 * apart, so a gap below K makes every record a session of its own (created, fired and emitted: the heavy
 * case) and a gap above K one session per key that grows to the end. N = 20 M records, K = 1000; each
 * invocation a whole job. The baseline in the same class is the single-thread plain-Java program for data
 * in time order: a HashMap of each key's open session, emitted when a record comes a gap or more after it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class SessionWindowBenchmark {
    static final int RECORDS = 20_000_000;
    static final int KEYS = 1000;

    @Param({"2"})
    public int parallelism;

    /** 500: a session per record; 5000: a session per key. */
    @Param({"500", "5000"})
    public long gapMs;

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w3Sessions() {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism);
        AtomicLong emitted = new AtomicLong();
        env.generate(RECORDS, KEYS).assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(Windows.session(Duration.ofMillis(gapMs))).sum("value")
                .forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        env.execute("w3-sessions");
        return emitted.get();
    }

    /** Baseline: each key's open session in a HashMap, one thread (parallelism ignored), records in time order. */
    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long w3SessionsHashMapBaseline() {
        HashMap<Long, long[]> open = new HashMap<>();
        long checksum = 0;
        for (long i = 0; i < RECORDS; i++) {
            long[] session = open.get(i % KEYS);
            if (session != null && i - session[1] >= gapMs) {
                checksum += session[0] + session[2];
                session = null;
            }
            if (session == null) {
                session = new long[] {i, i, 0};
                open.put(i % KEYS, session);
            }
            session[1] = i;
            session[2] += i;
        }
        for (long[] session : open.values()) {
            checksum += session[0] + session[2];
        }
        return checksum;
    }
}
