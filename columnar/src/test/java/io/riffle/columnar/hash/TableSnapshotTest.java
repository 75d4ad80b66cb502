package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.hash.ReferenceState.Keys;
import io.riffle.columnar.kernel.HashKernel;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TableSnapshotTest extends ArrowTest {
    private static final long BUDGET = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void holdsTheStateOfItsMomentWhileTheOwnerGoesOn() throws IOException {
        for (Keys keys : Keys.values()) {
            String what = keys.toString();
            Random random = new Random(keys.ordinal());
            ReferenceState model = new ReferenceState(keys);
            GroupBySpec spec = keys.spec();
            Path file = dir.resolve("state-" + keys);
            ReferenceState atSnapshot;
            // Room for every group: this test is about pages copied in place; growth has its own.
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET, 100_000, 0.75)) {
                model.feed(table, allocator, random, 6, 3000, 0, 12_000);
                assertEquals(keys.schema.column(0).type() != ColumnType.UTF8 && keys != Keys.SPARSE_INT64, table.isDirect(),
                        what);
                try (TableSnapshot snapshot = table.snapshot()) {
                    atSnapshot = model.copy();
                    assertEquals(model.size(), snapshot.groupCount(), what);
                    // Old groups updated, new ones inserted: the snapshot must see none of it.
                    model.feed(table, allocator, random, 6, 3000, 6_000, 12_000);
                    snapshot.writeTo(file, 128);
                    model.feed(table, allocator, random, 2, 3000, 0, 20_000);
                }
                ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(table, allocator),
                        what + ": the live table");
            }
            try (OffHeapHashTable restored = OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(file),
                    KeyGroupRange.all(128))) {
                ReferenceState.assertSameRows(atSnapshot.rows(), ReferenceState.rows(restored, allocator), what);
                assertEquals(keys.schema.column(0).type() != ColumnType.UTF8 && keys != Keys.SPARSE_INT64,
                        restored.isDirect(), what);
                // The restored table goes on like the original would have.
                atSnapshot.feed(restored, allocator, random, 4, 3000, 8_000, 30_000);
                ReferenceState.assertSameRows(atSnapshot.rows(), ReferenceState.rows(restored, allocator),
                        what + ", continued");
            }
        }
    }

    @Test
    void growthAndTheSwitchToHashingLeaveAnOpenSnapshotIntact() throws IOException {
        for (Keys keys : new Keys[] {Keys.DENSE_INT64, Keys.UTF8}) {
            Random random = new Random(40 + keys.ordinal());
            ReferenceState model = new ReferenceState(keys);
            GroupBySpec spec = keys.spec();
            Path file = dir.resolve("grown-" + keys);
            ReferenceState atSnapshot;
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET, 1, 0.75)) {
                model.feed(table, allocator, random, 3, 2000, 0, 9000);
                try (TableSnapshot snapshot = table.snapshot()) {
                    atSnapshot = model.copy();
                    int capacity = table.capacity();
                    long memory = table.memoryUsed();
                    model.feed(table, allocator, random, 2, 2000, 0, 9000);
                    // Many new groups: the region (and for utf8 the arena) grows several times over.
                    model.feed(table, allocator, random, 10, 4000, 9000, 60_000);
                    assertTrue(table.memoryUsed() > 4 * memory, keys + ": grew");
                    if (keys == Keys.DENSE_INT64) {
                        assertTrue(table.isDirect());
                        try (RecordBatch sparse = new ReferenceState(Keys.SPARSE_INT64).batch(allocator, random, 3000,
                                0, 100_000)) {
                            // Same schema as DENSE_INT64: keys spread over the int64 range move it to hashing.
                            table.aggregate(sparse);
                        }
                        assertFalse(table.isDirect());
                        model = null;
                    } else {
                        assertTrue(table.capacity() > capacity);
                    }
                    snapshot.writeTo(file, 64);
                }
                if (model != null) {
                    ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(table, allocator), "rows");
                }
            }
            try (OffHeapHashTable restored = OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(file),
                    KeyGroupRange.all(64))) {
                ReferenceState.assertSameRows(atSnapshot.rows(), ReferenceState.rows(restored, allocator),
                        keys.toString());
            }
        }
    }

    /** The batch API the engine uses (findOrInsert, then accumulate or accumulateRunning) keeps pages too. */
    @Test
    void everyUpdatePathKeepsPagesForTheSnapshot() throws IOException {
        Keys keys = Keys.UTF8;
        GroupBySpec spec = keys.spec();
        Random random = new Random(31);
        ReferenceState model = new ReferenceState(keys);
        Path file = dir.resolve("paths");
        ReferenceState atSnapshot;
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET, 50_000, 0.75);
             RecordBatch running = RecordBatch.allocate(spec.outputSchema(), allocator, 16)) {
            FieldVector[] outs = new FieldVector[spec.aggregateCount()];
            for (int a = 0; a < outs.length; a++) {
                outs[a] = running.vector(a + 1);
            }
            model.feed(table, allocator, random, 4, 3000, 0, 16_000);
            try (TableSnapshot snapshot = table.snapshot()) {
                atSnapshot = model.copy();
                long[] hashes = new long[2000];
                int[] groups = new int[2000];
                for (int b = 0; b < 6; b++) {
                    try (RecordBatch batch = model.batch(allocator, random, 2000, 0, 20_000)) {
                        HashKernel.hash(batch, new int[] {0}, hashes);
                        table.findOrInsert(batch, hashes, groups);
                        if (b % 2 == 0) {
                            table.accumulate(batch, groups);
                        } else {
                            table.accumulateRunning(batch, groups, outs);
                        }
                    }
                }
                snapshot.writeTo(file, 32);
            }
            ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(table, allocator), "the live table");
        }
        try (OffHeapHashTable restored = OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(file),
                KeyGroupRange.all(32))) {
            ReferenceState.assertSameRows(atSnapshot.rows(), ReferenceState.rows(restored, allocator), "restored");
        }
    }

    /** Keeping a page may need memory the allocator does not have: the batch then changes nothing. */
    @ParameterizedTest
    @EnumSource(value = Keys.class, names = {"DENSE_INT64", "SHORT_UTF8"})
    void aPageThatCannotBeKeptLeavesTheBatchUndone(Keys keys) throws IOException {
        Random random = new Random(12);
        ReferenceState model = new ReferenceState(keys);
        try (BufferAllocator limited = allocator.newChildAllocator("limited", 0, Long.MAX_VALUE);
             OffHeapHashTable table = new OffHeapHashTable(keys.spec(), limited, BUDGET, 60_000, 0.75)) {
            model.feed(table, allocator, random, 6, 5000, 0, 40_000);
            int groups = table.groupCount();
            Map<Object, List<Object>> before = model.rows();
            // Room for the table as it is, not for page copies (21 columns of 32 KiB a page).
            limited.setLimit(limited.getAllocatedMemory() + (1 << 20));
            try (TableSnapshot snapshot = table.snapshot()) {
                try (RecordBatch batch = model.copy().batch(allocator, random, 20_000, 0, 60_000)) {
                    MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                            () -> table.aggregate(batch));
                    assertTrue(e.getMessage().startsWith("snapshot of hash table for (k: "
                            + keys.schema.column(0).type() + ", "), e.getMessage());
                    assertTrue(e.getMessage().contains(" bytes to keep pages the table is about to update: "),
                            e.getMessage());
                }
                assertEquals(groups, table.groupCount(), "the groups the batch inserted are gone");
                ReferenceState.assertSameRows(before, ReferenceState.rows(table, allocator), "unchanged");
            }
            // Keys the failed batch brought in come again: nothing of them may have stayed behind.
            model.feed(table, allocator, random, 2, 5000, 0, 60_000);
            ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(table, allocator), "after the snapshot");
        }
    }

    /**
     * The short-key index learns a batch's new words only once the batch has succeeded: after a batch that
     * failed keeping a page, its new words come again in another order and must get groups of their own.
     */
    @Test
    void aBatchThatFailsLeavesNoGroupsInTheShortKeyIndex() throws IOException {
        BatchSchema schema = Keys.SHORT_UTF8.schema;
        GroupBySpec spec = GroupBySpec.of(schema, 0, Aggregate.count());
        try (BufferAllocator limited = allocator.newChildAllocator("limited", 0, Long.MAX_VALUE);
             OffHeapHashTable table = new OffHeapHashTable(spec, limited, BUDGET, 60_000, 0.75)) {
            try (RecordBatch known = words(schema, 0, 40_000, 1)) {
                table.aggregate(known);
            }
            limited.setLimit(limited.getAllocatedMemory() + (256 << 10));
            try (TableSnapshot snapshot = table.snapshot();
                 RecordBatch oldAndNew = words(schema, 0, 45_000, 1)) {
                MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                        () -> table.aggregate(oldAndNew));
                assertTrue(e.getMessage().contains(" bytes to keep pages the table is about to update: "),
                        e.getMessage());
            }
            assertEquals(40_000, table.groupCount());
            try (RecordBatch newBackwards = words(schema, 44_999, 40_000, -1)) {
                table.aggregate(newBackwards);
                table.aggregate(newBackwards);
            }
            assertEquals(45_000, table.groupCount());
            Map<Object, List<Object>> rows = ReferenceState.rows(table, allocator);
            assertEquals(45_000, rows.size());
            assertEquals(List.of(2L), rows.get(OffHeapHashTableTest.letters(40_000)).subList(1, 2));
            assertEquals(List.of(1L), rows.get(OffHeapHashTableTest.letters(39_999)).subList(1, 2));
        }
    }

    /** Words {@code letters(from)}, stepping by {@code step}, up to {@code to} (exclusive), counted once each. */
    private RecordBatch words(BatchSchema schema, int from, int to, int step) {
        List<Object[]> rows = new ArrayList<>();
        for (int i = from; step > 0 ? i < to : i >= to; i += step) {
            rows.add(new Object[] {OffHeapHashTableTest.letters(i), 1L, 1.0, 1});
        }
        return RecordBatchBuilder.fromRows(schema, allocator, rows.toArray(new Object[0][]));
    }

    @Test
    void theOwnerWaitsForAPageTheWriterIsReading() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.of("k", ColumnType.INT64), Column.of("v", ColumnType.INT64));
        GroupBySpec spec = GroupBySpec.of(schema, 0, Aggregate.count());
        int groups = 3 * TableSnapshot.PAGE_GROUPS;
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET);
             RecordBatch all = sequential(schema, 0, groups);
             RecordBatch pages01 = sequential(schema, 0, 2 * TableSnapshot.PAGE_GROUPS)) {
            table.aggregate(all);
            try (TableSnapshot open = table.snapshot();
                 ArrowBuf scratch = allocator.buffer(8L * TableSnapshot.PAGE_GROUPS)) {
                long counts = table.accumulatorAddress(0);
                long page1 = counts + 8L * TableSnapshot.PAGE_GROUPS;
                assertTrue(open.claim(1), "page 1 is shared until someone touches it");
                AtomicBoolean updated = new AtomicBoolean();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread owner = new Thread(() -> {
                    try {
                        table.aggregate(pages01);
                        updated.set(true);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                owner.start();
                // However long we look, the owner must not touch page 1 while it is claimed.
                for (int look = 0; look < 20_000; look++) {
                    assertFalse(updated.get(), "the owner updated a claimed page");
                    assertEquals(1L, MemoryUtil.getLong(page1 + 8L * (look % TableSnapshot.PAGE_GROUPS)));
                    Thread.yield();
                }
                open.copyPage(1, scratch.memoryAddress());
                open.release(1);
                owner.join();
                assertEquals(null, failure.get());
                assertTrue(updated.get());
                for (int g = 0; g < TableSnapshot.PAGE_GROUPS; g++) {
                    assertEquals(1L, MemoryUtil.getLong(scratch.memoryAddress() + 8L * g), "the writer's copy");
                    assertEquals(2L, MemoryUtil.getLong(page1 + 8L * g), "the live table");
                    assertEquals(2L, MemoryUtil.getLong(counts + 8L * g), "page 0, copied by the owner");
                    assertEquals(1L, MemoryUtil.getLong(counts + 8L * (g + 2 * TableSnapshot.PAGE_GROUPS)));
                }
            }
        }
    }

    /**
     * The writer runs {@code writeTo} on its own thread while the owner aggregates batches, each side with
     * random pauses, so that both win the race for pages in every combination; whatever happened, the
     * restored state must be the state at snapshot time.
     */
    @Test
    void aConcurrentWriterAlwaysWritesTheStateAtSnapshotTime() throws Exception {
        int[] maxParallelisms = {1, 3, 128, 1000};
        for (long seed = 1; seed <= 240; seed++) {
            Random random = new Random(seed);
            Keys keys = Keys.values()[(int) (seed % Keys.values().length)];
            int maxParallelism = maxParallelisms[random.nextInt(maxParallelisms.length)];
            String what = "seed " + seed + " (" + keys + ", max parallelism " + maxParallelism + ")";
            ReferenceState model = new ReferenceState(keys);
            GroupBySpec spec = keys.spec();
            Path file = dir.resolve("stress-" + seed);
            ReferenceState atSnapshot;
            int distinct = 1000 + random.nextInt(60_000);
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET, 1 + random.nextInt(20_000),
                    0.75)) {
                try (RecordBatch first = model.inOrder(allocator, random, 0, distinct)) {
                    table.aggregate(first); // group g is key g's: a window of keys is a window of pages
                }
                model.feed(table, allocator, random, random.nextInt(3), 1 + random.nextInt(10_000), 0, distinct);
                // The owner's batches are made up front, so that the race is between aggregate and writeTo. Most
                // touch one or two pages, so that the two sides meet all through the write.
                List<RecordBatch> batches = new ArrayList<>();
                TableSnapshot snapshot = table.snapshot();
                atSnapshot = model.copy();
                try {
                    int count = 20 + random.nextInt(200);
                    for (int b = 0; b < count; b++) {
                        // Mostly known keys; sometimes new ones (growth), sometimes far away ones (to hashing).
                        int choice = random.nextInt(40);
                        if (choice < 4) {
                            int low = choice < 3 ? distinct : -1_000_000_000;
                            batches.add(model.batch(allocator, random, 1 + random.nextInt(2000), low, distinct));
                        } else {
                            int window = 1 + random.nextInt(100);
                            int low = random.nextInt(distinct - window + 1);
                            batches.add(model.batch(allocator, random, 1 + random.nextInt(64), low, window));
                        }
                    }
                    long writerPause = random.nextInt(3) == 0 ? 0 : random.nextInt(300_000);
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    Thread writer = new Thread(() -> {
                        try {
                            LockSupport.parkNanos(writerPause);
                            snapshot.writeTo(file, maxParallelism);
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    });
                    writer.start();
                    for (RecordBatch batch : batches) {
                        table.aggregate(batch);
                        int pause = random.nextInt(4);
                        if (pause == 0) {
                            Thread.yield();
                        } else if (pause == 1) {
                            LockSupport.parkNanos(random.nextInt(20_000));
                        }
                    }
                    writer.join();
                    if (failure.get() != null) {
                        throw new AssertionError(what, failure.get());
                    }
                } finally {
                    snapshot.close();
                    for (RecordBatch batch : batches) {
                        batch.close();
                    }
                }
                if (seed % 10 == 0) {
                    ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(table, allocator),
                            what + ": the live table");
                }
            }
            try (OffHeapHashTable restored = OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(file),
                    KeyGroupRange.all(maxParallelism))) {
                ReferenceState.assertSameRows(atSnapshot.rows(), ReferenceState.rows(restored, allocator), what);
            }
            assertEquals(0, allocator.getAllocatedMemory(), what);
            Files.delete(file);
        }
    }

    /** An aborted checkpoint: the snapshot is closed while its writer runs; the next snapshot works. */
    @Test
    void closingASnapshotWhileItIsWrittenStopsTheWriter() throws Exception {
        Keys keys = Keys.DENSE_INT64;
        GroupBySpec spec = keys.spec();
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            ReferenceState model = new ReferenceState(keys);
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET)) {
                model.feed(table, allocator, random, 4, 8000, 0, 200_000);
                TableSnapshot aborted = table.snapshot();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Path file = dir.resolve("aborted-" + seed);
                Thread writer = new Thread(() -> {
                    try {
                        aborted.writeTo(file, 128);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                writer.start();
                LockSupport.parkNanos(random.nextInt(500_000));
                aborted.close();
                model.feed(table, allocator, random, 1, 2000, 0, 200_000);
                try (TableSnapshot next = table.snapshot()) {
                    ReferenceState atSnapshot = model.copy();
                    model.feed(table, allocator, random, 1, 2000, 0, 200_000);
                    next.writeTo(dir.resolve("next-" + seed), 128);
                    writer.join();
                    // Done before the close, stopped by it, or not yet started when it came.
                    Throwable t = failure.get();
                    assertTrue(t == null || t instanceof IOException && t.getMessage().equals(
                            "snapshot closed while it was being written (checkpoint aborted); " + file
                                    + " is not written") || t instanceof IllegalStateException, String.valueOf(t));
                    assertEquals(t == null, Files.exists(file), "a stopped writer deletes its file: " + t);
                    try (OffHeapHashTable restored = OffHeapHashTable.restore(spec, allocator, BUDGET,
                            List.of(dir.resolve("next-" + seed)), KeyGroupRange.all(128))) {
                        ReferenceState.assertSameRows(atSnapshot.rows(), ReferenceState.rows(restored, allocator),
                                "seed " + seed);
                    }
                }
            }
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    @Test
    void closingTheTableFirstLeavesTheSnapshotWritable() throws IOException {
        Keys keys = Keys.UTF8;
        ReferenceState model = new ReferenceState(keys);
        Path file = dir.resolve("orphan");
        TableSnapshot snapshot;
        try (OffHeapHashTable table = new OffHeapHashTable(keys.spec(), allocator, BUDGET)) {
            model.feed(table, allocator, new Random(5), 3, 4000, 0, 10_000);
            snapshot = table.snapshot();
            model.copy().feed(table, allocator, new Random(6), 3, 4000, 0, 50_000);
        }
        assertTrue(allocator.getAllocatedMemory() > 0, "the snapshot keeps what it reads");
        snapshot.writeTo(file, 16);
        snapshot.close();
        assertEquals(0, allocator.getAllocatedMemory());
        try (OffHeapHashTable restored = OffHeapHashTable.restore(keys.spec(), allocator, BUDGET, List.of(file),
                KeyGroupRange.all(16))) {
            ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(restored, allocator), "rows");
        }
    }

    @Test
    void aSnapshotClosedUnwrittenFreesItsPagesAndClosesOnce() throws IOException {
        // Dense keys with room for all: the table neither grows nor switches, so only page copies come and go.
        Keys keys = Keys.DENSE_INT64;
        ReferenceState model = new ReferenceState(keys);
        Random random = new Random(8);
        try (OffHeapHashTable table = new OffHeapHashTable(keys.spec(), allocator, BUDGET, 100_000, 0.75);
             RecordBatch ends = model.batchOf(allocator, new Object[][] {{0L, 1L, 1.0, 1}, {19_999L, null, null, 2}})) {
            table.aggregate(ends); // the direct index covers every key from the start
            model.feed(table, allocator, random, 3, 4000, 0, 20_000);
            long before = allocator.getAllocatedMemory();
            TableSnapshot snapshot = table.snapshot();
            model.feed(table, allocator, random, 3, 4000, 0, 20_000);
            assertTrue(allocator.getAllocatedMemory() > before, "pages were copied");
            snapshot.close();
            snapshot.close();
            assertEquals(before, allocator.getAllocatedMemory());
            assertTrue(snapshot.isClosed());
            assertEquals("the snapshot is closed; take a new one", assertThrows(IllegalStateException.class,
                    () -> snapshot.writeTo(dir.resolve("never"), 128)).getMessage());
            model.feed(table, allocator, random, 2, 4000, 0, 30_000);
            ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(table, allocator), "rows");
        }
    }

    @Test
    void oneSnapshotAtATimeAndEachWrittenOnce() throws IOException {
        Keys keys = Keys.DENSE_INT32;
        ReferenceState model = new ReferenceState(keys);
        OffHeapHashTable table = new OffHeapHashTable(keys.spec(), allocator, BUDGET);
        model.feed(table, allocator, new Random(1), 1, 100, 0, 50);
        try (TableSnapshot first = table.snapshot()) {
            assertEquals("a snapshot of this table is still open; close it (written or aborted) before taking the "
                    + "next: a table keeps pages for one snapshot at a time",
                    assertThrows(IllegalStateException.class, table::snapshot).getMessage());
            first.writeTo(dir.resolve("once"), 8);
            assertEquals("writeTo runs once per snapshot: its pages go back to the table as they are written",
                    assertThrows(IllegalStateException.class, () -> first.writeTo(dir.resolve("twice"), 8))
                            .getMessage());
            assertEquals("max parallelism must be between 1 and 32768, got 0",
                    assertThrows(IllegalArgumentException.class, () -> first.writeTo(dir.resolve("x"), 0))
                            .getMessage());
        }
        table.snapshot().close();
        table.close();
        table.close();
        assertEquals("the hash table is closed", assertThrows(IllegalStateException.class, table::snapshot)
                .getMessage());
    }

    @Test
    void anEmptyTableSnapshotsAndRestores() throws IOException {
        Keys keys = Keys.UTF8;
        Path file = dir.resolve("empty");
        try (OffHeapHashTable table = new OffHeapHashTable(keys.spec(), allocator, BUDGET);
             TableSnapshot snapshot = table.snapshot()) {
            assertEquals(0, snapshot.groupCount());
            snapshot.writeTo(file, 4);
        }
        try (OffHeapHashTable restored = OffHeapHashTable.restore(keys.spec(), allocator, BUDGET, List.of(file),
                KeyGroupRange.all(4))) {
            assertEquals(0, restored.groupCount());
            ReferenceState model = new ReferenceState(keys);
            model.feed(restored, allocator, new Random(3), 2, 1000, 0, 300);
            ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(restored, allocator), "rows");
        }
    }

    /** Sections straddle mapping chunks and read chunks: written in 4 KiB chunks, read 512 bytes at a time. */
    @Test
    void sectionsMayStraddleMappingChunks() throws IOException {
        for (Keys keys : new Keys[] {Keys.SPARSE_INT64, Keys.UTF8}) {
            ReferenceState model = new ReferenceState(keys);
            Path small = dir.resolve("chunked-" + keys);
            Path large = dir.resolve("whole-" + keys);
            try (OffHeapHashTable table = new OffHeapHashTable(keys.spec(), allocator, BUDGET)) {
                model.feed(table, allocator, new Random(77), 3, 3000, 0, 5000);
                try (TableSnapshot snapshot = table.snapshot()) {
                    snapshot.writeTo(small, 5, 12);
                }
                try (TableSnapshot snapshot = table.snapshot()) {
                    snapshot.writeTo(large, 5);
                }
            }
            assertTrue(Arrays.equals(Files.readAllBytes(small), Files.readAllBytes(large)),
                    "the chunking does not show in the file");
            try (OffHeapHashTable restored = SnapshotFile.restore(keys.spec(), allocator, BUDGET, List.of(small),
                    KeyGroupRange.all(5), 512)) {
                ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(restored, allocator), keys.toString());
            }
        }
    }

    @Test
    void aggregatingAllocatesNothingPerBatchOnceNoPageNeedsKeeping() throws IOException {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        GroupBySpec spec = Keys.DENSE_INT64.spec();
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET);
             RecordBatch batch = new ReferenceState(Keys.DENSE_INT64).batch(allocator, new Random(2), 4096, 0,
                     10_000)) {
            table.aggregate(batch);
            try (TableSnapshot written = table.snapshot()) {
                written.writeTo(dir.resolve("written"), 128);
            }
            for (int round = 0; round < 2; round++) {
                // Round 0: after a snapshot was written and closed; round 1: with one open whose pages were all copied.
                TableSnapshot open = round == 1 ? table.snapshot() : null;
                long before = 0;
                for (int i = 0; i < 20_000; i++) {
                    if (i == 10_000) {
                        before = threads.getThreadAllocatedBytes(me);
                    }
                    table.aggregate(batch);
                }
                long allocated = threads.getThreadAllocatedBytes(me) - before;
                assertTrue(allocated < 4096, "round " + round + ": 10k batches allocated " + allocated + " bytes");
                if (open != null) {
                    open.close();
                }
            }
        }
    }

    private RecordBatch sequential(BatchSchema schema, int from, int to) {
        Object[][] rows = new Object[to - from][];
        for (int i = from; i < to; i++) {
            rows[i - from] = new Object[] {(long) i, 1L};
        }
        return RecordBatchBuilder.fromRows(schema, allocator, rows);
    }
}
