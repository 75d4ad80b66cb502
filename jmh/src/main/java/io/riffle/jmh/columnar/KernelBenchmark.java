package io.riffle.jmh.columnar;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.CompareKernel;
import io.riffle.columnar.kernel.CompareOp;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.PartitionScatter;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Kernel throughput in rows per second on one thread, one 4096-row batch per operation: hashing an
 * int64 and a utf8 key column (and W4's words: Zipf text over 10,000 words, mostly 1 to 3 bytes), and
 * filtering an int64 column ({@code value > constant}, half the rows pass), routing rows to 2 or 8
 * partitions by their keys' hashes (a hash edge's assign), and drawing W4's Zipf ranks. Beside each, the plain-Java
 * loop a row-at-a-time engine would run over the same vectors.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xmx2g", "-XX:+UseParallelGC"})
public class KernelBenchmark {
    static final int ROWS = 4096;
    static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("word", ColumnType.UTF8), Column.of("zipfWord", ColumnType.UTF8));

    RootAllocator allocator;
    RecordBatch batch;
    long[] hashes;
    /** The int64 keys' hashes, for routing rows to partitions. */
    long[] keyHashes;
    final ZipfText zipf = new ZipfText(10_000);
    final double[] zipfCumulative = new double[10_000];
    final int[] ranks = new int[ROWS];
    long nextWord;
    final PartitionScatter twoWays = new PartitionScatter(2, 128);
    final PartitionScatter eightWays = new PartitionScatter(8, 128);
    SelectionVector selection;
    long threshold;

    @Setup(Level.Trial)
    public void generate() {
        allocator = new RootAllocator();
        batch = RecordBatch.allocate(SCHEMA, allocator, ROWS);
        java.util.Random random = new java.util.Random(1);
        long keys = batch.int64(0).getDataBufferAddress();
        VarCharVector words = batch.utf8(1);
        VarCharVector zipfWords = batch.utf8(2);
        ZipfText text = new ZipfText(10_000);
        for (int r = 0; r < ROWS; r++) {
            MemoryUtil.putLong(keys + 8L * r, random.nextInt(1_000_000));
            words.setSafe(r, ("word-" + random.nextInt(10_000)).getBytes(StandardCharsets.UTF_8));
            zipfWords.setSafe(r, ZipfText.word(text.rank(r)).getBytes(StandardCharsets.UTF_8));
        }
        MemoryUtil.setMemory(batch.int64(0).getValidityBufferAddress(), ROWS / 8, (byte) 0xFF);
        batch.setRowCount(ROWS);
        hashes = new long[ROWS];
        keyHashes = new long[ROWS];
        HashKernel.hash(batch, new int[] {0}, keyHashes);
        double total = 0;
        for (int r = 0; r < zipfCumulative.length; r++) {
            total += 1.0 / (r + 1);
            zipfCumulative[r] = total;
        }
        selection = new SelectionVector(ROWS);
        threshold = 500_000;
    }

    @TearDown(Level.Trial)
    public void free() {
        batch.close();
        allocator.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long[] hashInt64() {
        HashKernel.hash(batch, new int[] {0}, hashes);
        return hashes;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long[] hashUtf8() {
        HashKernel.hash(batch, new int[] {1}, hashes);
        return hashes;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long[] hashZipfWords() {
        HashKernel.hash(batch, new int[] {2}, hashes);
        return hashes;
    }

    /** Baseline: Long.hashCode per row through the vector's boxed-free getter, as a row engine would. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long[] hashInt64RowAtATime() {
        BigIntVector keys = batch.int64(0);
        for (int r = 0; r < ROWS; r++) {
            hashes[r] = Long.valueOf(keys.get(r)).hashCode();
        }
        return hashes;
    }

    /** Baseline: String.hashCode of each decoded row, as a row engine keyed by String would. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public long[] hashUtf8RowAtATime() {
        VarCharVector words = batch.utf8(1);
        VarCharVector zipfWords = batch.utf8(2);
        ZipfText text = new ZipfText(10_000);
        for (int r = 0; r < ROWS; r++) {
            hashes[r] = new String(words.get(r), StandardCharsets.UTF_8).hashCode();
        }
        return hashes;
    }

    /** W4's generator: the ranks of 4096 consecutive words of the Zipf text over 10,000 words. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int[] zipfRanks() {
        long first = nextWord;
        nextWord += ROWS;
        for (int i = 0; i < ROWS; i++) {
            ranks[i] = zipf.rank(first + i);
        }
        return ranks;
    }

    /** Baseline: the same ranks by binary search of the cumulative weights, the generator's definition. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int[] zipfRanksBinarySearch() {
        long first = nextWord;
        nextWord += ROWS;
        double total = zipfCumulative[zipfCumulative.length - 1];
        for (int i = 0; i < ROWS; i++) {
            long z = (first + i + 1) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            double u = (z >>> 11) * 0x1.0p-53 * total;
            int lo = 0;
            int hi = zipfCumulative.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (zipfCumulative[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            ranks[i] = lo;
        }
        return ranks;
    }

    /** A hash edge's routing at parallelism 2: one branch-free pass per partition. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int assignTwoPartitions() {
        twoWays.assign(keyHashes, ROWS, null);
        return twoWays.rowCount(0);
    }

    /** The same at parallelism 8, where the scatter counting-sorts the rows instead. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int assignEightPartitions() {
        eightWays.assign(keyHashes, ROWS, null);
        return eightWays.rowCount(0);
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int filterInt64GreaterThan() {
        return CompareKernel.compare(batch, 0, CompareOp.GT, threshold, null, selection);
    }

    /** Baseline: the same filter row by row through the vector's getters into an int[] selection. */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public int filterInt64RowAtATime() {
        BigIntVector keys = batch.int64(0);
        int[] rows = selection.rows();
        int n = 0;
        for (int r = 0; r < ROWS; r++) {
            if (!keys.isNull(r) && keys.get(r) > threshold) {
                rows[n++] = r;
            }
        }
        return n;
    }
}
