package io.riffle.bench;

import static io.riffle.engine.expr.Expr.col;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.DataStream;
import io.riffle.engine.Environment;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.Windows;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * The workloads on Riffle, as its CLI jobs run them, with results added to a {@link Checksum}. The sinks read
 * the int64 result columns straight from their data buffers, as Riffle's kernels do (the results have no
 * nulls; a null would show as a checksum that disagrees).
 */
public final class RiffleWorkloads implements Contender {
    @Override
    public String name() {
        return "riffle";
    }

    @Override
    public boolean runs(Workload workload) {
        return true;
    }

    @Override
    public List<String> latencyVariants() {
        return List.of(RiffleLatency.VARIANT);
    }

    @Override
    public LatencyRun latency(String variant, LatencySetup setup) throws IOException {
        return RiffleLatency.measure(setup);
    }

    @Override
    public Run run(Workload workload, long records, long keys, int parallelism) {
        Environment env = (workload.isBatch() ? Environment.batch() : Environment.streaming())
                .setParallelism(parallelism);
        // W4 reads words; the others read the generator's records.
        DataStream input = workload == Workload.W4 ? env.generateZipfText(records, Math.toIntExact(keys))
                : env.generate(records, keys);
        Checksum checksum = new Checksum(keys);
        switch (workload) {
            case W1 -> input.keyBy("key").sum("value").forEachBatch(b -> addRunning(b, checksum.forThisThread()));
            case W2 -> input.groupBy("key").sum("value").forEachBatch(b -> addKeySums(b, checksum.forThisThread()));
            case W3 -> input.assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                    .keyBy("key").window(Windows.tumbling(Duration.ofMillis(Workload.WINDOW_MS))).sum("value")
                    .forEachBatch(b -> addWindowSums(b, checksum.forThisThread()));
            case W4 -> input.groupBy("word").count().forEachBatch(b -> addWordCounts(b, checksum.forThisThread()));
            // The join carries only the columns the sum reads, as in every baseline: Spark's planner prunes the
            // others, Flink's join function and Hadoop's mapper emit (customer, amount).
            case W5 -> input.select(col("key"), col("value"))
                    .broadcastJoin(env.generate(keys, keys).select(col("key")), "key", "key")
                    .groupBy("key").sum("value")
                    .forEachBatch(b -> addKeySums(b, checksum.forThisThread()));
            default -> throw new IllegalArgumentException("no Riffle job for " + workload);
        }
        long start = System.nanoTime();
        env.execute("riffle-" + workload);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Run("riffle", workload, records, keys, parallelism, seconds, checksum.rows(), checksum.value());
    }

    /** W1 rows: (key, running sum, timestamp). */
    private static void addRunning(RecordBatch b, Checksum.Part checksum) {
        checksum.addRunning(b.vector(0).getDataBufferAddress(), b.vector(1).getDataBufferAddress(), b.rowCount());
    }

    /** W2 and W5 rows: (key, sum). */
    private static void addKeySums(RecordBatch b, Checksum.Part checksum) {
        long keys = b.vector(0).getDataBufferAddress();
        long sums = b.vector(1).getDataBufferAddress();
        for (int r = 0; r < b.rowCount(); r++) {
            checksum.add(MemoryUtil.getLong(keys + ((long) r << 3)), MemoryUtil.getLong(sums + ((long) r << 3)));
        }
    }

    /** W4 rows: (word, count), the word's UTF-8 bytes copied out of the vector into one array per batch. */
    private static void addWordCounts(RecordBatch b, Checksum.Part checksum) {
        VarCharVector words = (VarCharVector) b.vector(0);
        BigIntVector counts = (BigIntVector) b.vector(1);
        ArrowBuf data = words.getDataBuffer();
        byte[] word = new byte[16];
        for (int r = 0; r < b.rowCount(); r++) {
            int start = words.getStartOffset(r);
            int length = words.getEndOffset(r) - start;
            if (length > word.length) {
                word = new byte[Math.max(length, 2 * word.length)];
            }
            data.getBytes(start, word, 0, length);
            checksum.add(Checksum.utf8(word, 0, length), counts.get(r));
        }
    }

    /** W3 rows: (key, window_start, window_end, sum). */
    private static void addWindowSums(RecordBatch b, Checksum.Part checksum) {
        long keys = b.vector(0).getDataBufferAddress();
        long starts = b.vector(1).getDataBufferAddress();
        long sums = b.vector(3).getDataBufferAddress();
        for (int r = 0; r < b.rowCount(); r++) {
            long at = (long) r << 3;
            checksum.add(MemoryUtil.getLong(keys + at), MemoryUtil.getLong(starts + at), MemoryUtil.getLong(sums + at));
        }
    }
}
