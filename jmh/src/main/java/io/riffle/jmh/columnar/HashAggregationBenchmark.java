package io.riffle.jmh.columnar;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.engine.connector.ZipfText;
import io.riffle.jmh.Jvm;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
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
 * Grouped sum, rows per second on one thread: Riffle's {@link OffHeapHashTable} against a
 * {@code HashMap<Long, long[]>} (and {@code HashMap<String, long[]>}) reading the same Arrow batches.
 * One operation aggregates the whole data set (about 20 M rows of the brief's data: key = i mod K,
 * value = i) into a fresh table, so inserts and updates are in the same mix for both. With
 * {@code order=scrambled} the same K keys are spread over the whole int64 range (a bijective mix of
 * i mod K), which takes away both Riffle's direct index for dense keys and the locality that
 * {@code Long.hashCode} (the identity) gives HashMap on sequential keys. {@code keyType=utf8} keys are
 * {@code "word-" + i mod K}; {@code keyType=zipf} keys are the words of W4's text over a vocabulary of K
 * words ({@link ZipfText}), mostly 1 to 3 bytes long and drawn with Zipf frequencies.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms12g", "-Xmx12g", "-XX:+UseParallelGC"})
public class HashAggregationBenchmark {
    static final int BATCH = 4096;
    static final int BATCHES = 4883;
    static final int ROWS = BATCH * BATCHES;

    @Param({"1000", "100000", "10000000"})
    public int keys;

    @Param({"int64"})
    public String keyType;

    @Param({"sequential", "scrambled"})
    public String order;

    static final BatchSchema LONG_SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));
    static final BatchSchema STRING_SCHEMA = BatchSchema.of(Column.of("key", ColumnType.UTF8),
            Column.of("value", ColumnType.INT64));

    RootAllocator allocator;
    RecordBatch[] batches;
    GroupBySpec spec;

    @Setup(Level.Trial)
    public void generate() {
        allocator = new RootAllocator();
        boolean zipf = keyType.equals("zipf");
        boolean utf8 = zipf || keyType.equals("utf8");
        ZipfText text = zipf ? new ZipfText(keys) : null;
        boolean scrambled = order.equals("scrambled");
        BatchSchema schema = utf8 ? STRING_SCHEMA : LONG_SCHEMA;
        spec = GroupBySpec.of(schema, "key", Aggregate.sum("value"));
        batches = new RecordBatch[BATCHES];
        long i = 0;
        for (int b = 0; b < BATCHES; b++) {
            RecordBatch batch = RecordBatch.allocate(schema, allocator, BATCH);
            long values = batch.int64(1).getDataBufferAddress();
            if (utf8) {
                VarCharVector words = batch.utf8(0);
                for (int r = 0; r < BATCH; r++, i++) {
                    String word = zipf ? ZipfText.word(text.rank(i)) : "word-" + (i % keys);
                    words.setSafe(r, word.getBytes(StandardCharsets.UTF_8));
                    MemoryUtil.putLong(values + 8L * r, i);
                }
            } else {
                long keyData = batch.int64(0).getDataBufferAddress();
                for (int r = 0; r < BATCH; r++, i++) {
                    long key = i % keys;
                    MemoryUtil.putLong(keyData + 8L * r, scrambled ? key * 0x9E3779B97F4A7C15L : key);
                    MemoryUtil.putLong(values + 8L * r, i);
                }
            }
            for (int c = 0; c < 2; c++) {
                MemoryUtil.setMemory(batch.vector(c).getValidityBufferAddress(), BATCH / 8, (byte) 0xFF);
            }
            batch.setRowCount(BATCH);
            batches[b] = batch;
        }
    }

    @TearDown(Level.Trial)
    public void free() {
        for (RecordBatch b : batches) {
            b.close();
        }
        allocator.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long riffleOffHeapTable() {
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 8L << 30)) {
            for (RecordBatch batch : batches) {
                table.aggregate(batch);
            }
            return table.groupCount();
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long hashMapBaseline() {
        if (!keyType.equals("int64")) {
            HashMap<String, long[]> map = new HashMap<>();
            for (RecordBatch batch : batches) {
                VarCharVector words = batch.utf8(0);
                BigIntVector values = batch.int64(1);
                for (int r = 0; r < BATCH; r++) {
                    String key = new String(words.get(r), StandardCharsets.UTF_8);
                    long[] acc = map.get(key);
                    if (acc == null) {
                        acc = new long[1];
                        map.put(key, acc);
                    }
                    acc[0] += values.get(r);
                }
            }
            return map.size();
        }
        HashMap<Long, long[]> map = new HashMap<>();
        for (RecordBatch batch : batches) {
            BigIntVector keyVector = batch.int64(0);
            BigIntVector values = batch.int64(1);
            for (int r = 0; r < BATCH; r++) {
                Long key = keyVector.get(r);
                long[] acc = map.get(key);
                if (acc == null) {
                    acc = new long[1];
                    map.put(key, acc);
                }
                acc[0] += values.get(r);
            }
        }
        return map.size();
    }
}
