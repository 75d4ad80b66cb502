package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.ReferenceState.Keys;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest extends ArrowTest {
    private static final long BUDGET = 1L << 30;

    @TempDir
    Path dir;

    /**
     * Two subtasks (parallelism 2) each aggregate the keys of their key groups and write a snapshot; the two
     * files restore as four subtasks, three, and one, each holding exactly the groups of its key groups.
     */
    @Test
    void restoresAtHigherAndLowerParallelism() throws IOException {
        for (int maxParallelism : new int[] {128, 7}) {
            for (Keys keys : new Keys[] {Keys.SPARSE_INT64, Keys.UTF8}) {
                String what = keys + ", max parallelism " + maxParallelism;
                GroupBySpec spec = keys.spec();
                ReferenceState[] models = {new ReferenceState(keys), new ReferenceState(keys)};
                Path[] files = {dir.resolve(what + "-0"), dir.resolve(what + "-1")};
                Random random = new Random(maxParallelism);
                Map<Object, Integer> keyGroupOf = new HashMap<>();
                for (int subtask = 0; subtask < 2; subtask++) {
                    try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET)) {
                        for (int b = 0; b < 4; b++) {
                            feedOwnKeys(table, models[subtask], random, subtask, maxParallelism, keyGroupOf);
                        }
                        try (TableSnapshot snapshot = table.snapshot()) {
                            snapshot.writeTo(files[subtask], maxParallelism);
                        }
                    }
                }
                Map<Object, List<Object>> all = new HashMap<>(models[0].rows());
                all.putAll(models[1].rows());
                assertEquals(models[0].size() + models[1].size(), all.size());
                for (int parallelism : new int[] {4, 3, 1}) {
                    Map<Object, List<Object>> union = new HashMap<>();
                    for (int subtask = 0; subtask < parallelism; subtask++) {
                        KeyGroupRange range = KeyGroupRange.ofPartition(subtask, maxParallelism, parallelism);
                        // Files in either order: a key group's groups are in whichever file has them.
                        List<Path> list = subtask % 2 == 0 ? List.of(files[0], files[1]) : List.of(files[1], files[0]);
                        try (OffHeapHashTable table = OffHeapHashTable.restore(spec, allocator, BUDGET, list, range)) {
                            Map<Object, List<Object>> rows = ReferenceState.rows(table, allocator);
                            for (Object key : rows.keySet()) {
                                int keyGroup = keyGroupOf.get(key);
                                assertTrue(range.contains(keyGroup), what + ": key " + key
                                        + " of key group " + keyGroup + " restored into " + range);
                            }
                            union.putAll(rows);
                        }
                    }
                    ReferenceState.assertSameRows(all, union, what + ", parallelism " + parallelism);
                }
            }
        }
    }

    /** A batch of keys of every key group; only the rows of the subtask's key groups go to its table and model. */
    private void feedOwnKeys(OffHeapHashTable table, ReferenceState model, Random random, int subtask,
                             int maxParallelism, Map<Object, Integer> keyGroupOf) {
        ReferenceState scratch = new ReferenceState(model.keys);
        long[] hashes = new long[3000];
        try (RecordBatch batch = scratch.batch(allocator, random, 3000, 0, 20_000)) {
            HashKernel.hash(batch, new int[] {0}, hashes);
            int kept = 0;
            Object[][] rows = new Object[3000][];
            for (int r = 0; r < 3000; r++) {
                int keyGroup = KeyGroups.keyGroup(hashes[r], maxParallelism);
                keyGroupOf.put(batch.value(r, 0), keyGroup);
                if (KeyGroups.partitionOf(keyGroup, maxParallelism, 2) == subtask) {
                    rows[kept++] = new Object[] {batch.value(r, 0), batch.value(r, 1), batch.value(r, 2),
                        batch.value(r, 3)};
                }
            }
            try (RecordBatch own = model.batchOf(allocator, Arrays.copyOf(rows, kept))) {
                table.aggregate(own);
            }
        }
    }

    @Test
    void namesTheFileAndTheProblemAndLeavesNothingAllocated() throws IOException {
        Keys keys = Keys.UTF8;
        GroupBySpec spec = keys.spec();
        Path file = dir.resolve("state-1.bin");
        ReferenceState model = new ReferenceState(keys);
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET)) {
            model.feed(table, allocator, new Random(4), 3, 3000, 0, 5000);
            try (TableSnapshot snapshot = table.snapshot()) {
                snapshot.writeTo(file, 128);
            }
            table.writeTo(dir.resolve("table.bin"));
        }
        long size = Files.size(file);
        long index = SnapshotFileDescriptor.indexOffset(spec.aggregateCount());

        // A byte in key group 17's section: only a range holding key group 17 notices.
        long section17 = readLong(file, index + 17L * SnapshotFileDescriptor.INDEX_ENTRY_BYTES);
        Path entry = flipped(file, "entry", section17 + 5);
        assertCorrupt(entry, spec, 128, 0, 128, "key group 17 fails its checksum");
        assertCorrupt(entry, spec, 128, 17, 18, "key group 17 fails its checksum");
        try (OffHeapHashTable table = OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(entry),
                new KeyGroupRange(128, 18, 128))) {
            assertTrue(table.groupCount() > 0);
        }

        assertCorrupt(flipped(file, "index", index + 40 * SnapshotFileDescriptor.INDEX_ENTRY_BYTES + 1), spec, 128, 0, 128,
                "header or index fails its checksum");
        assertCorrupt(flipped(file, "header", SnapshotFileDescriptor.GROUP_COUNT_OFFSET), spec, 128, 0, 128,
                "header or index fails its checksum");
        assertCorrupt(flipped(file, "magic", 0), spec, 128, 0, 128, "not a Riffle table snapshot (bad magic number)");
        assertCorrupt(dir.resolve("table.bin"), spec, 128, 0, 128, "not a Riffle table snapshot (bad magic number)");
        assertCorrupt(flipped(file, "trailer", size - 3), spec, 128, 0, 128, "bad trailer");

        Path truncated = Files.copy(file, dir.resolve("truncated"));
        try (RandomAccessFile raf = new RandomAccessFile(truncated.toFile(), "rw")) {
            raf.setLength(size - 100);
        }
        assertCorrupt(truncated, spec, 128, 0, 128, "truncated: " + (size - 100) + " bytes where the header promises "
                + size);
        try (RandomAccessFile raf = new RandomAccessFile(truncated.toFile(), "rw")) {
            raf.setLength(1000);
        }
        assertCorrupt(truncated, spec, 128, 0, 128, "truncated: 1000 bytes, shorter than its header and index");
        try (RandomAccessFile raf = new RandomAccessFile(truncated.toFile(), "rw")) {
            raf.setLength(40);
        }
        assertCorrupt(truncated, spec, 128, 0, 128, "truncated: 40 bytes, shorter than a snapshot header");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertCorrupt(empty, spec, 128, 0, 128, "not a Riffle table snapshot (bad magic number)");

        GroupBySpec otherAggregate = GroupBySpec.of(keys.schema, 0, Aggregate.max("v"));
        assertCorrupt(file, otherAggregate, 128, 0, 128, "written with aggregate count 13, the spec has 1");
        Aggregate[] swapped = ReferenceState.ALL.clone();
        swapped[0] = Aggregate.max("v");
        swapped[4] = Aggregate.sum("v");
        assertCorrupt(file, GroupBySpec.of(keys.schema, 0, swapped), 128, 0, 128,
                "aggregate 0 (max(v)) was written for another aggregate or input field");
        assertCorrupt(file, Keys.SPARSE_INT64.spec(), 128, 0, 128, "written with key type 4, the spec has 1");
        assertCorrupt(file, spec, 64, 0, 64, "written for max parallelism 128, restored with 64; key groups only "
                + "carry over at the same max parallelism");

        assertEquals("key group 3 has groups in both " + file + " and " + file
                        + "; a key group's state is in one file of a checkpoint",
                assertThrows(IllegalArgumentException.class, () -> OffHeapHashTable.restore(spec, allocator, BUDGET,
                        List.of(file, file), new KeyGroupRange(128, 3, 4))).getMessage());
        // A range outside the key groups cannot be asked for: the range itself refuses to exist.
        assertEquals("key group range [5, 129) is not inside [0, 128)",
                assertThrows(IllegalArgumentException.class, () -> new KeyGroupRange(128, 5, 129)).getMessage());
        MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                () -> OffHeapHashTable.restore(spec, allocator, 100_000, List.of(file), KeyGroupRange.all(128)));
        assertTrue(e.getMessage().contains("over its memory budget of 100000 bytes"), e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory());

        try (OffHeapHashTable restored = OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(file),
                KeyGroupRange.all(128))) {
            ReferenceState.assertSameRows(model.rows(), ReferenceState.rows(restored, allocator),
                    "the original is fine");
        }
    }

    private void assertCorrupt(Path file, GroupBySpec spec, int maxParallelism, int first, int last, String problem) {
        CorruptTableFileException e = assertThrows(CorruptTableFileException.class,
                () -> OffHeapHashTable.restore(spec, allocator, BUDGET, List.of(file),
                        new KeyGroupRange(maxParallelism, first, last)));
        assertEquals("snapshot file " + file + ": " + problem, e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory(), file + ": nothing left allocated");
    }

    private Path flipped(Path file, String name, long position) throws IOException {
        Path copy = Files.copy(file, dir.resolve(name));
        try (RandomAccessFile raf = new RandomAccessFile(copy.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x04);
        }
        return copy;
    }

    private static long readLong(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] bytes = new byte[8];
            raf.seek(position);
            raf.readFully(bytes);
            return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }
}
