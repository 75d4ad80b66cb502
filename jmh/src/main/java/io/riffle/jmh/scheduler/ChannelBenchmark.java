package io.riffle.jmh.scheduler;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.jmh.Jvm;
import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.Slot;
import io.riffle.scheduler.channel.SlotHandler;
import org.apache.arrow.memory.RootAllocator;
import org.jctools.queues.SpscArrayQueue;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One hop between two threads, carrying Arrow batches of two int64 columns: Riffle's {@link Channel}
 * (Disruptor ring, busy-spin consumer) against an {@code ArrayBlockingQueue} and a JCTools
 * {@code SpscArrayQueue} carrying the same batch references, each with a busy-polling consumer thread.
 * Throughput: batches per second (rows/s = batches/s x rows). Latency: from publishing one batch until
 * the producer sees the consumer's acknowledgement (one hop plus the acknowledgement's cache-line
 * transfer back), sampled per operation.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xmx2g", "-XX:+UseParallelGC"})
public class ChannelBenchmark {
    static final int BATCHES_PER_OP = 1000;
    static final int CAPACITY = 1024;
    static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));

    @Param({"1024", "4096"})
    public int rows;

    RootAllocator allocator;
    RecordBatch[] pool;
    Channel channel;
    ArrayBlockingQueue<RecordBatch> blockingQueue;
    SpscArrayQueue<RecordBatch> spscQueue;
    final AtomicLong consumed = new AtomicLong();
    long produced;
    volatile boolean running;
    Thread consumer;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) {
        allocator = new RootAllocator();
        pool = new RecordBatch[2 * CAPACITY + 2];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = RecordBatch.allocate(SCHEMA, allocator, rows);
            for (int r = 0; r < rows; r++) {
                pool[i].int64(0).set(r, r);
                pool[i].int64(1).set(r, i);
            }
            pool[i].setRowCount(rows);
        }
        String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
        running = true;
        Runnable loop;
        if (method.startsWith("riffle")) {
            channel = new Channel("bench", CAPACITY);
            loop = this::consumeChannel;
        } else if (method.startsWith("arrayBlockingQueue")) {
            blockingQueue = new ArrayBlockingQueue<>(CAPACITY);
            loop = () -> consumeQueue(blockingQueue);
        } else {
            spscQueue = new SpscArrayQueue<>(CAPACITY);
            loop = () -> consumeQueue(spscQueue);
        }
        consumer = new Thread(loop, "consumer");
        consumer.setDaemon(true);
        consumer.start();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
        running = false;
        consumer.join();
        if (channel != null) {
            channel.close();
        }
        for (RecordBatch b : pool) {
            b.close();
        }
        allocator.close();
    }

    /** The consumer takes each batch (as an operator that passes it on would) and reads its size. */
    private void consumeChannel() {
        long[] rowsSeen = new long[1];
        SlotHandler handler = (c, slot) -> {
            rowsSeen[0] += slot.takeBatch().rowCount();
            return true;
        };
        while (running) {
            int n = channel.poll(handler, 0, 256);
            if (n > 0) {
                consumed.lazySet(consumed.get() + n);
            }
        }
    }

    private void consumeQueue(java.util.Queue<RecordBatch> queue) {
        long rowsSeen = 0;
        while (running) {
            RecordBatch b = queue.poll();
            if (b != null) {
                rowsSeen += b.rowCount();
                consumed.lazySet(consumed.get() + 1);
            }
        }
        if (rowsSeen < 0) {
            throw new IllegalStateException();
        }
    }

    private RecordBatch nextBatch() {
        return pool[(int) (produced % pool.length)];
    }

    private void awaitConsumed() {
        while (consumed.get() < produced) {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OperationsPerInvocation(BATCHES_PER_OP)
    public long riffleChannel() {
        for (int i = 0; i < BATCHES_PER_OP; i++) {
            RecordBatch b = nextBatch();
            while (!channel.offerBatch(b)) {
                channel.flush();
                Thread.onSpinWait();
            }
            produced++;
        }
        channel.flush();
        awaitConsumed();
        return produced;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OperationsPerInvocation(BATCHES_PER_OP)
    public long arrayBlockingQueue() {
        for (int i = 0; i < BATCHES_PER_OP; i++) {
            RecordBatch b = nextBatch();
            while (!blockingQueue.offer(b)) {
                Thread.onSpinWait();
            }
            produced++;
        }
        awaitConsumed();
        return produced;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OperationsPerInvocation(BATCHES_PER_OP)
    public long jctoolsSpsc() {
        for (int i = 0; i < BATCHES_PER_OP; i++) {
            RecordBatch b = nextBatch();
            while (!spscQueue.offer(b)) {
                Thread.onSpinWait();
            }
            produced++;
        }
        awaitConsumed();
        return produced;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long riffleChannelLatency() {
        channel.offerBatch(nextBatch());
        channel.flush();
        produced++;
        awaitConsumed();
        return produced;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long arrayBlockingQueueLatency() {
        blockingQueue.offer(nextBatch());
        produced++;
        awaitConsumed();
        return produced;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long jctoolsSpscLatency() {
        spscQueue.offer(nextBatch());
        produced++;
        awaitConsumed();
        return produced;
    }
}
