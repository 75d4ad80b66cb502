package io.riffle.jmh.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.engine.Environment;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.Windows;
import io.riffle.engine.expr.Expr;
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
 * What per-record watermarks cost, records per second: W3 tumbling (generated records in time order, keyBy,
 * 100 s windows summing value) with watermarks per batch (the default), per record at the default batch
 * size, per batch at batch size 1 (the only way to per-record watermarks before), and punctuated by the
 * records of key 0 (one in K). In time order every record raises the watermark, the per-record worst case:
 * each batch is passed on one record at a time; punctuated, it is passed on K records at a time.
 * N = 2 M records, K keys; each invocation a whole job.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class WatermarkBenchmark {
    static final int RECORDS = 2_000_000;

    @Param({"1"})
    public int parallelism;

    @Param({"1000"})
    public int keys;

    private long run(WatermarkStrategy strategy, int batchSize) {
        Environment env = Environment.streaming().setParallelism(parallelism).setWorkers(parallelism);
        if (batchSize > 0) {
            env.setBatchSize(batchSize);
        }
        AtomicLong emitted = new AtomicLong();
        env.generate(RECORDS, keys).assignTimestampsAndWatermarks(strategy)
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(100))).sum("value")
                .forEachBatch(b -> emitted.addAndGet(b.rowCount()));
        env.execute("w3-watermarks");
        return emitted.get();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long perBatch() {
        return run(WatermarkStrategy.monotonousTimestamps("timestamp"), 0);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long perRecord() {
        return run(WatermarkStrategy.monotonousTimestamps("timestamp").perRecord(), 0);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long punctuatedByKeyZero() {
        return run(WatermarkStrategy.monotonousTimestamps("timestamp").punctuatedBy(Expr.col("key").eq(0)), 0);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long perBatchOfOneRecord() {
        return run(WatermarkStrategy.monotonousTimestamps("timestamp"), 1);
    }
}
