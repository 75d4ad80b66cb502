package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.ArrowTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableFileTest extends ArrowTest {
    @TempDir
    Path dir;
    @Test
    void restoredTableContinuesExactlyLikeTheOriginal() throws IOException {
        BatchSchema[] schemas = {OffHeapHashTableTest.LONG_KEYS, OffHeapHashTableTest.LONG_KEYS,
            OffHeapHashTableTest.STRING_KEYS};
        for (int variant = 0; variant < schemas.length; variant++) {
            BatchSchema schema = schemas[variant];
            boolean sparse = variant == 1;
            GroupBySpec spec = GroupBySpec.of(schema, 0, OffHeapHashTableTest.ALL);
            Path file = dir.resolve("table-" + variant);
            try (OffHeapHashTable original = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.75)) {
                Random random = new Random(11);
                feed(original, schema, random, 5, sparse);
                original.writeTo(file);
                try (OffHeapHashTable restored = OffHeapHashTable.readFrom(file, spec, allocator, 1L << 30)) {
                    assertEquals(original.groupCount(), restored.groupCount());
                    assertEquals(original.capacity(), restored.capacity());
                    assertEquals(original.isDirect(), restored.isDirect());
                    assertEquals(variant == 0, restored.isDirect(), "variant " + variant);
                    // The short-key index is a cache: a restored table learns it again from its first batches.
                    assertEquals(original.memoryUsed() - original.shortKeyIndexBytes(), restored.memoryUsed());
                    // Both go on with the same input, growing further; results must stay identical.
                    Random a = new Random(12);
                    Random b = new Random(12);
                    feed(original, schema, a, 5, sparse);
                    feed(restored, schema, b, 5, sparse);
                    try (RecordBatch x = original.emit(0, original.groupCount(), allocator);
                         RecordBatch y = restored.emit(0, restored.groupCount(), allocator)) {
                        assertEquals(x.format(Integer.MAX_VALUE), y.format(Integer.MAX_VALUE));
                    }
                }
            }
        }
    }

    @Test
    void detectsCorruptTruncatedAndForeignFiles() throws IOException {
        GroupBySpec spec = GroupBySpec.of(OffHeapHashTableTest.STRING_KEYS, 0, Aggregate.sum(1));
        Path file = dir.resolve("t");
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30)) {
            feed(table, OffHeapHashTableTest.STRING_KEYS, new Random(3), 2, false);
            table.writeTo(file);
        }
        long size = Files.size(file);

        Path flipped = copy(file, "flipped");
        try (RandomAccessFile raf = new RandomAccessFile(flipped.toFile(), "rw")) {
            raf.seek(size / 2);
            int b = raf.read();
            raf.seek(size / 2);
            raf.write(b ^ 0x10);
        }
        String message = assertThrows(CorruptTableFileException.class,
                () -> OffHeapHashTable.readFrom(flipped, spec, allocator, 1L << 30)).getMessage();
        assertEquals(true, message.startsWith("hash table file " + flipped + ": checksum mismatch: stored "), message);

        Path truncated = copy(file, "truncated");
        try (RandomAccessFile raf = new RandomAccessFile(truncated.toFile(), "rw")) {
            raf.setLength(size - 100);
        }
        assertEquals("hash table file " + truncated + ": truncated: " + (size - 100) + " bytes where the header promises "
                        + size,
                assertThrows(CorruptTableFileException.class,
                        () -> OffHeapHashTable.readFrom(truncated, spec, allocator, 1L << 30)).getMessage());

        GroupBySpec other = GroupBySpec.of(OffHeapHashTableTest.STRING_KEYS, 0, Aggregate.max(1));
        assertEquals("hash table file " + file + ": aggregate 0 (max(value)) was written for another aggregate or input "
                        + "field",
                assertThrows(CorruptTableFileException.class,
                        () -> OffHeapHashTable.readFrom(file, other, allocator, 1L << 30)).getMessage());

        Path garbage = dir.resolve("garbage");
        Files.write(garbage, new byte[4096]);
        assertEquals("hash table file " + garbage + ": not a Riffle hash table (bad magic number)",
                assertThrows(CorruptTableFileException.class,
                        () -> OffHeapHashTable.readFrom(garbage, spec, allocator, 1L << 30)).getMessage());

        assertThrows(MemoryBudgetExceededException.class, () -> OffHeapHashTable.readFrom(file, spec, allocator, 70_000));
    }

    private void feed(OffHeapHashTable table, BatchSchema schema, Random random, int batches, boolean sparse) {
        for (int b = 0; b < batches; b++) {
            Object[][] rows = new Object[2000][];
            for (int i = 0; i < rows.length; i++) {
                int k = random.nextInt(3000);
                Object key = schema != OffHeapHashTableTest.LONG_KEYS ? OffHeapHashTableTest.word(k)
                        : (Object) (sparse ? OffHeapHashTableTest.sparse(k) : (long) k);
                rows[i] = new Object[] {key, (long) random.nextInt(100), random.nextDouble()};
            }
            try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, rows)) {
                table.aggregate(batch);
            }
        }
    }

    private Path copy(Path file, String name) throws IOException {
        return Files.copy(file, dir.resolve(name));
    }
}
