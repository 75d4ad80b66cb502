package io.riffle.jmh.engine;

import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.engine.DataStream;
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
 * W5, order records per second: a batch hash join of N = 50 M orders (customer i mod K, amount i) with K
 * customers (shuffled by key, or broadcast to every join subtask), then the sum of amounts per customer;
 * each invocation a whole job. The baseline in the same
 * class is the single-thread plain-Java program: a HashMap of customers built first, then a loop over the
 * orders that looks each customer up and adds to its sum.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms4g", "-Xmx4g", "-XX:+UseParallelGC"})
public class JoinBenchmark {
    static final int ORDERS = 50_000_000;

    @Param({"2"})
    public int parallelism;

    @Param({"10000"})
    public int customers;

    @Benchmark
    @OperationsPerInvocation(ORDERS)
    public long w5JoinThenSum() {
        return joinThenSum(false);
    }

    /** The same with the customers broadcast to every join subtask and the orders left where they are. */
    @Benchmark
    @OperationsPerInvocation(ORDERS)
    public long w5BroadcastJoinThenSum() {
        return joinThenSum(true);
    }

    private long joinThenSum(boolean broadcast) {
        Environment env = Environment.batch().setParallelism(parallelism).setWorkers(parallelism);
        AtomicLong groups = new AtomicLong();
        DataStream orders = env.generate(ORDERS, customers);
        DataStream customerRows = env.generate(customers, customers);
        (broadcast ? orders.broadcastJoin(customerRows, "key", "key") : orders.join(customerRows, "key", "key"))
                .groupBy("key").sum("value").forEachBatch(b -> groups.addAndGet(b.rowCount()));
        env.execute("w5");
        if (groups.get() != customers) {
            throw new IllegalStateException(groups.get() + " customers summed, expected " + customers);
        }
        return groups.get();
    }

    /** Baseline for W5: customers in a HashMap, one thread (parallelism ignored). */
    @Benchmark
    @OperationsPerInvocation(ORDERS)
    public long w5HashMapBaseline() {
        HashMap<Long, long[]> byCustomer = new HashMap<>();
        for (long id = 0; id < customers; id++) {
            byCustomer.put(id, new long[1]);
        }
        for (long i = 0; i < ORDERS; i++) {
            long[] sum = byCustomer.get(i % customers);
            if (sum != null) {
                sum[0] += i;
            }
        }
        long checksum = 0;
        for (long[] sum : byCustomer.values()) {
            checksum += sum[0];
        }
        return checksum;
    }
}
