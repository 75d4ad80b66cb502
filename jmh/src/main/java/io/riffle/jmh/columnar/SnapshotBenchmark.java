package io.riffle.jmh.columnar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.hash.TableSnapshot;
import io.riffle.jmh.Jvm;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The three costs of checkpointing an {@link OffHeapHashTable} of {@code keys} int64 groups with one
 * {@code sum}: the synchronous {@link OffHeapHashTable#snapshot()} pause the task sees (sample time, µs), the
 * asynchronous {@link TableSnapshot#writeTo} (the {@code bytes} counter is its file bytes per second, forced
 * to the device; the table is idle meanwhile), and {@link OffHeapHashTable#restore} of every key group from
 * that file (ms; the file was just written, so it is read from the page cache). {@code order=sequential} keys
 * (0 .. keys - 1) live in the direct index, {@code scrambled} ones (the same keys spread over the int64 range)
 * are hashed. State is off-heap (Arrow's unsafe allocator, not bounded by the direct memory limit), so the heap
 * stays small; 50 M keys need about 6 GiB (sequential) to 10 GiB (scrambled) of memory and 1.2 GiB of disk.
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Jvm.ADD_OPENS, "-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class SnapshotBenchmark {
    static final int BATCH = 4096;
    static final int MAX_PARALLELISM = 128;
    static final long BUDGET = 32L << 30;
    static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));

    @Param({"1000000", "10000000", "50000000"})
    public int keys;

    @Param({"sequential", "scrambled"})
    public String order;

    RootAllocator allocator;
    GroupBySpec spec;
    OffHeapHashTable table;
    Path dir;
    Path file;
    TableSnapshot snapshot;
    OffHeapHashTable restored;

    /** File bytes written, reported per second: writeTo's throughput. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Written {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void fill() throws IOException {
        allocator = new RootAllocator();
        spec = GroupBySpec.of(SCHEMA, "key", Aggregate.sum("value"));
        table = new OffHeapHashTable(spec, allocator, BUDGET, keys, OffHeapHashTable.DEFAULT_LOAD_FACTOR);
        boolean scrambled = order.equals("scrambled");
        try (RecordBatch batch = RecordBatch.allocate(SCHEMA, allocator, BATCH)) {
            long keyData = batch.int64(0).getDataBufferAddress();
            long values = batch.int64(1).getDataBufferAddress();
            for (int c = 0; c < 2; c++) {
                MemoryUtil.setMemory(batch.vector(c).getValidityBufferAddress(), BATCH / 8, (byte) 0xFF);
            }
            for (long from = 0; from < keys; from += BATCH) {
                int n = (int) Math.min(BATCH, keys - from);
                for (int r = 0; r < n; r++) {
                    long key = from + r;
                    MemoryUtil.putLong(keyData + 8L * r, scrambled ? key * 0x9E3779B97F4A7C15L : key);
                    MemoryUtil.putLong(values + 8L * r, key);
                }
                batch.setRowCount(n);
                table.aggregate(batch);
            }
        }
        dir = Files.createTempDirectory("riffle-snapshot-bench");
        file = dir.resolve("state.bin");
        try (TableSnapshot s = table.snapshot()) {
            s.writeTo(file, MAX_PARALLELISM);
        }
    }

    @TearDown(Level.Trial)
    public void free() throws IOException {
        table.close();
        Files.deleteIfExists(file);
        Files.delete(dir);
        allocator.close();
    }

    /** The synchronous part of a checkpoint: what the task thread waits for at a barrier. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public TableSnapshot snapshotPause() {
        snapshot = table.snapshot();
        return snapshot;
    }

    @TearDown(Level.Invocation)
    public void closeSnapshot() {
        if (snapshot != null) {
            snapshot.close();
            snapshot = null;
        }
        if (restored != null) {
            restored.close();
            restored = null;
        }
    }

    /** The asynchronous part: the whole table, by key group, through a mapping, forced to the device. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long writeTo(Written written) {
        try (TableSnapshot s = table.snapshot()) {
            long bytes = s.writeTo(file, MAX_PARALLELISM);
            written.bytes += bytes;
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recovery: every key group of the file into a new table, checksums checked. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int restore() throws IOException {
        restored = OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(file), KeyGroupRange.all(MAX_PARALLELISM));
        return restored.groupCount();
    }
}
