package io.riffle.jmh.engine;

import static io.riffle.engine.expr.Expr.col;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.Environment;
import io.riffle.engine.Tuple;
import io.riffle.jmh.Jvm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A filter and a projection over the generator, N = 20 M, one subtask, each invocation a whole job:
 * the column path ({@code where} and {@code select} through the kernels) against the same program with
 * row-level functions ({@code filter} and {@code map} over a reusable record view), which is the
 * baseline. Both keep value % 3 == 0 and key < 5000 and emit (key, value * 2), counted at a batch sink.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class ColumnPathBenchmark {
    static final int RECORDS = 20_000_000;
    static final int KEYS = 10_000;
    static final long SELECTED = expectedRows();
    static final BatchSchema PAIR = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("twice", ColumnType.INT64));

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long whereSelectExpressions() {
        Environment env = Environment.batch().setParallelism(1).setWorkers(1);
        AtomicLong rows = new AtomicLong();
        env.generate(RECORDS, KEYS)
                .where(col("value").mod(3).eq(0).and(col("key").lt(5000)))
                .select(col("key"), col("value").times(2).as("twice"))
                .forEachBatch(b -> rows.addAndGet(b.rowCount()));
        env.execute("column-path");
        return check(rows.get());
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long filterMapRowFunctions() {
        Environment env = Environment.batch().setParallelism(1).setWorkers(1);
        AtomicLong rows = new AtomicLong();
        env.generate(RECORDS, KEYS)
                .filter(r -> r.getLong(1) % 3 == 0 && r.getLong(0) < 5000)
                .map(r -> Tuple.of(r.getLong(0), r.getLong(1) * 2), PAIR)
                .forEachBatch(b -> rows.addAndGet(b.rowCount()));
        env.execute("row-path");
        return check(rows.get());
    }

    private static long expectedRows() {
        long n = 0;
        for (long i = 0; i < RECORDS; i++) {
            if (i % 3 == 0 && i % KEYS < 5000) {
                n++;
            }
        }
        return n;
    }

    private static long check(long actual) {
        if (actual != SELECTED) {
            throw new IllegalStateException("expected " + SELECTED + " rows, got " + actual);
        }
        return actual;
    }
}
