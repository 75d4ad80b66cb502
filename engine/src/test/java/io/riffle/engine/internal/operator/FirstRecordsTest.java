package io.riffle.engine.internal.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first records of a running aggregation alone: appended once per key, gathered by group id, and a
 * snapshot that keeps the rows it was taken with while the owner goes on appending (here until the utf8
 * and fixed-width buffers have grown several times over), written by key group and restored.
 */
class FirstRecordsTest {
    private static final BatchSchema INPUT = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("v", ColumnType.INT64), Column.nullable("s", ColumnType.UTF8), Column.of("t", ColumnType.INT32));
    private static final int MAX_PARALLELISM = 128;

    private final BufferAllocator allocator = new RootAllocator();

    @TempDir
    Path dir;

    @AfterEach
    void allMemoryIsFreed() {
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    /** Rows {@code (k, k * 10, "s<k>..." or null for k % 7 == 3, k)} for keys {@code from .. to - 1}, each twice. */
    private RecordBatch keys(int from, int to) {
        RecordBatchBuilder builder = new RecordBatchBuilder(INPUT, allocator, 2 * (to - from));
        for (int k = from; k < to; k++) {
            for (int copy = 0; copy < 2; copy++) {
                String s = k % 7 == 3 ? null : "s" + k + "-" + copy + "-" + "x".repeat(k % 50);
                builder.addRow(new Object[] {(long) k, k * 10L + copy, s, k + copy});
            }
        }
        return builder.build();
    }

    /** The group ids a table gives {@link #keys}: key k is group k. */
    private static int[] groups(int from, int to) {
        int[] ids = new int[2 * (to - from)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = from + i / 2;
        }
        return ids;
    }

    private static List<Object> row(RecordBatch batch, int row) {
        List<Object> values = new ArrayList<>();
        for (int c = 0; c < batch.columnCount(); c++) {
            values.add(batch.value(row, c));
        }
        return values;
    }

    /** The kept fields (s, t) of groups {@code ids} as the store gathers them. */
    private List<List<Object>> gathered(FirstRecords store, int[] ids) {
        try (RecordBatch out = RecordBatch.allocate(INPUT, allocator, ids.length)) {
            store.gather(1, ids, ids.length, out, 2);
            store.gather(2, ids, ids.length, out, 3);
            out.setRowCount(ids.length);
            List<List<Object>> rows = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                rows.add(List.of(String.valueOf(out.value(i, 2)), out.value(i, 3)));
            }
            return rows;
        }
    }

    private static List<List<Object>> expected(int[] ids) {
        List<List<Object>> rows = new ArrayList<>();
        for (int k : ids) {
            rows.add(List.of(k % 7 == 3 ? "null" : "s" + k + "-0-" + "x".repeat(k % 50), k));
        }
        return rows;
    }

    @Test
    void keepsEachKeysFirstRowAndGathersByGroup() {
        try (FirstRecords store = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator);
             RecordBatch batch = keys(0, 100)) {
            store.appendNew(batch, groups(0, 100), 100);
            assertEquals(100, store.size());
            int[] ids = {99, 3, 0, 3, 42, 10};
            assertEquals(expected(ids), gathered(store, ids));
        }
    }

    @Test
    void aSnapshotKeepsItsRowsWhileTheOwnerAppendsAndIsRestoredByKeyGroup() throws Exception {
        Path file = dir.resolve("first");
        try (FirstRecords store = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator)) {
            try (RecordBatch batch = keys(0, 10)) {
                store.appendNew(batch, groups(0, 10), 10);
            }
            try (FirstRecords.Snapshot snapshot = store.snapshot()) {
                // Grows every buffer past the ones the snapshot holds.
                for (int from = 10; from < 20_000; from += 1000) {
                    try (RecordBatch batch = keys(from, from + 1000)) {
                        store.appendNew(batch, groups(from, from + 1000), from + 1000);
                    }
                }
                assertTrue(snapshot.writeTo(file, MAX_PARALLELISM, allocator) > 0);
            }
            int[] all = new int[20_000];
            Arrays.setAll(all, g -> g);
            assertEquals(expected(all), gathered(store, all));
        }
        // Restored in two halves of the key groups, as by two new subtasks: each takes the keys of its key groups,
        // and each row goes to the group its key has in the (here simulated) restored table.
        int[] keyGroupOfKey = new int[10];
        try (RecordBatch first = keys(0, 10)) {
            long[] hashes = new long[first.rowCount()];
            HashKernel.hash(first, new int[] {0}, hashes);
            for (int k = 0; k < 10; k++) {
                keyGroupOfKey[k] = KeyGroups.keyGroup(hashes[2 * k], MAX_PARALLELISM);
            }
        }
        int restoredRows = 0;
        for (KeyGroupRange range : new KeyGroupRange[] {KeyGroupRange.ofPartition(0, MAX_PARALLELISM, 2),
                KeyGroupRange.ofPartition(1, MAX_PARALLELISM, 2)}) {
            int[] keys = IntStream.range(0, 10).filter(k -> range.contains(keyGroupOfKey[k])).toArray();
            try (FirstRecords restored = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator)) {
                restored.restore(List.of(file), range, keys.length, records -> {
                    int[] ids = new int[records.rowCount()];
                    for (int r = 0; r < ids.length; r++) {
                        ids[r] = indexOf(keys, ((Long) records.value(r, 0)).intValue());
                    }
                    return ids;
                }, "sum", allocator);
                int[] positions = new int[keys.length];
                Arrays.setAll(positions, g -> g);
                assertEquals(expected(keys), gathered(restored, positions));
            }
            restoredRows += keys.length;
        }
        assertEquals(10, restoredRows, "the snapshot holds the 10 keys it was taken with");
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == value) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void anEmptySnapshotRestoresNothing() throws Exception {
        Path file = dir.resolve("empty");
        try (FirstRecords store = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator);
             FirstRecords.Snapshot snapshot = store.snapshot()) {
            snapshot.writeTo(file, MAX_PARALLELISM, allocator);
        }
        try (FirstRecords restored = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator)) {
            restored.restore(List.of(file), KeyGroupRange.all(MAX_PARALLELISM), 0, records -> new int[records.rowCount()], "sum",
                    allocator);
            assertEquals(0, restored.size());
        }
    }

    @Test
    void aGroupWithoutItsFirstRecordIsACorruptCheckpointNamingTheOperator() throws Exception {
        Path file = dir.resolve("first");
        try (FirstRecords store = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator);
             RecordBatch batch = keys(0, 5)) {
            store.appendNew(batch, groups(0, 5), 5);
            try (FirstRecords.Snapshot snapshot = store.snapshot()) {
                snapshot.writeTo(file, MAX_PARALLELISM, allocator);
            }
        }
        try (FirstRecords restored = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator)) {
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> restored.restore(
                    List.of(file), KeyGroupRange.all(MAX_PARALLELISM), 6, records -> {
                        int[] ids = new int[records.rowCount()];
                        for (int r = 0; r < ids.length; r++) {
                            ids[r] = ((Long) records.value(r, 0)).intValue();
                        }
                        return ids;
                    }, "keyBy(k).sum(v)", allocator));
            assertEquals("keyBy(k).sum(v): the checkpoint holds no first record for group 5 of its aggregates",
                    e.getMessage());
        }
        Files.write(file, new byte[] {1, 2, 3});
        try (FirstRecords restored = new FirstRecords(INPUT, 0, new int[] {2, 3}, allocator)) {
            CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> restored.restore(
                    List.of(file), KeyGroupRange.all(MAX_PARALLELISM), 0, records -> new int[0], "sum", allocator));
            assertEquals(file + ": not a running aggregate's first records", e.getMessage());
        }
    }
}
