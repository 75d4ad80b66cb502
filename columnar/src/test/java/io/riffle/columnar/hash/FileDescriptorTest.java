package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written by the writers read back field by field through their descriptors. */
class FileDescriptorTest extends ArrowTest {
    @TempDir
    Path dir;

    @Test
    void aTableFileHeaderReadsBackThroughItsDescriptor() throws IOException {
        GroupBySpec spec = GroupBySpec.of(OffHeapHashTableTest.LONG_KEYS, 0, OffHeapHashTableTest.ALL);
        Path file = dir.resolve("table");
        long regionBytes;
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30)) {
            aggregateKeys(table, 1000, 2000);
            assertTrue(table.isDirect());
            table.writeTo(file);
            regionBytes = table.regionBytesFor(16, 1536);
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        TableFileDescriptor header = TableFileDescriptor.wrap(bytes);
        assertEquals(TableFileDescriptor.MAGIC, header.magic());
        assertEquals(TableFileDescriptor.VERSION, header.version());
        assertEquals(ColumnType.INT64.ordinal(), header.keyType());
        assertEquals(0, header.keyField());
        assertEquals(9, header.aggregates());
        assertEquals(spec.accumulatorColumnCount(), header.accumulatorColumns());
        for (int a = 0; a < 9; a++) {
            assertEquals(AggregateDescriptor.of(spec, a), header.aggregateDescriptor(a), "aggregate " + a);
        }
        // Dense keys 1000 .. 1999: the direct index covers exactly them; the slots are a token 16.
        assertEquals(16, header.capacity());
        assertEquals(1536, header.maxGroups());
        assertEquals(1000, header.groupCount());
        assertEquals(0.75, header.loadFactor());
        assertEquals(true, header.direct());
        assertEquals(1000, header.directBase());
        assertEquals(1000, header.directSpan());
        assertEquals(0, header.arenaUsed());
        assertEquals(0, header.arenaCapacity());
        long trailer = regionBytes + 4 * 1000;
        assertEquals(trailer + TableFileDescriptor.TRAILER_BYTES, bytes.capacity());
        assertEquals(TableFileDescriptor.TRAILER_MAGIC, bytes.getLong((int) trailer + 8));
        try (OffHeapHashTable restored = OffHeapHashTable.readFrom(file, spec, allocator, 1L << 30)) {
            assertEquals(1000, restored.groupCount());
        }
    }

    @Test
    void aSnapshotFileReadsBackThroughItsDescriptor() throws IOException {
        GroupBySpec spec = GroupBySpec.of(OffHeapHashTableTest.LONG_KEYS, 0, Aggregate.sum("value"),
                Aggregate.count());
        int maxParallelism = 4;
        Path file = dir.resolve("snapshot");
        long[] expectedGroups = new long[maxParallelism];
        for (long key = 0; key < 100; key++) {
            expectedGroups[KeyGroups.keyGroup(HashKernel.hashLong(key), maxParallelism)]++;
        }
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30)) {
            aggregateKeys(table, 0, 100);
            try (TableSnapshot snapshot = table.snapshot()) {
                snapshot.writeTo(file, maxParallelism);
            }
        }
        byte[] written = Files.readAllBytes(file);
        SnapshotFileDescriptor metadata = SnapshotFileDescriptor.wrap(ByteBuffer.wrap(written));
        assertEquals(SnapshotFileDescriptor.MAGIC, metadata.magic());
        assertEquals(SnapshotFileDescriptor.VERSION, metadata.version());
        assertEquals(ColumnType.INT64.ordinal(), metadata.keyType());
        assertEquals(0, metadata.keyField());
        assertEquals(2, metadata.aggregates());
        assertEquals(spec.accumulatorColumnCount(), metadata.accumulatorColumns());
        assertEquals(maxParallelism, metadata.maxParallelism());
        assertEquals(AggregateDescriptor.of(spec, 0), metadata.aggregateDescriptor(0));
        assertEquals(AggregateDescriptor.of(spec, 1), metadata.aggregateDescriptor(1));
        assertEquals(100, metadata.groupCount());
        assertEquals(written.length, metadata.fileBytes());
        assertEquals(metadata.computeMetadataChecksum(), metadata.metadataChecksum());
        long start = SnapshotFileDescriptor.sectionsOffset(2, maxParallelism);
        long before = 0;
        int columns = spec.accumulatorColumnCount();
        ByteBuffer contents = ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < maxParallelism; k++) {
            assertEquals(start, metadata.sectionStart(k), "key group " + k);
            assertEquals(before, metadata.groupsBefore(k), "key group " + k);
            long bytes = SnapshotFileDescriptor.sectionBytes(false, columns, expectedGroups[k], 0);
            CRC32C crc = new CRC32C();
            crc.update(written, (int) start, (int) bytes);
            assertEquals((int) crc.getValue(), metadata.sectionChecksum(k), "key group " + k);
            for (int r = 0; r < expectedGroups[k]; r++) {
                long hash = contents.getLong((int) start + 8 * r);
                long key = contents.getLong((int) SnapshotFileDescriptor.keysAt(start, expectedGroups[k]) + 8 * r);
                assertEquals(HashKernel.hashLong(key), hash, "key group " + k + ", group " + r);
                assertEquals(k, KeyGroups.keyGroup(hash, maxParallelism));
                long count = contents.getLong((int) SnapshotFileDescriptor.accumulatorsAt(start, expectedGroups[k], false)
                        + 8 * (int) expectedGroups[k] * spec.valueColumn[1] + 8 * r);
                assertEquals(3, count, "every key came three times");
            }
            start += bytes;
            before += expectedGroups[k];
        }
        assertEquals(start, metadata.sectionStart(maxParallelism));
        assertEquals(100, metadata.groupsBefore(maxParallelism));
        assertEquals(written.length, start + SnapshotFileDescriptor.TRAILER_BYTES);
        assertEquals(written.length, contents.getLong(written.length - 16));
        assertEquals(SnapshotFileDescriptor.TRAILER_MAGIC, contents.getLong(written.length - 8));
    }

    /** Keys {@code from .. to - 1}, each three times, in three batches. */
    private void aggregateKeys(OffHeapHashTable table, int from, int to) {
        for (int round = 0; round < 3; round++) {
            Object[][] rows = new Object[to - from][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = new Object[] {(long) (from + i), (long) i, 0.5};
            }
            try (RecordBatch batch = RecordBatchBuilder.fromRows(OffHeapHashTableTest.LONG_KEYS, allocator, rows)) {
                table.aggregate(batch);
            }
        }
    }
}
