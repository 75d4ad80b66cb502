package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.ArrowTest;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

class HashKernelTest extends ArrowTest {
    @Test
    void stringHashIsXxh64WithSeedZero() {
        // Reference values of XXH64 (seed 0): the hash must never change between runs, JVMs or releases,
        // or restored key groups would land on the wrong partition.
        assertEquals(0xEF46DB3751D8E999L, xxh64(""));
        assertEquals(0x44BC2CF5AD770999L, xxh64("abc"));
        assertEquals(0xFBCEA83C8A378BF1L, xxh64("Nobody inspects the spammish repetition"));
    }

    @Test
    void integerHashesArePinned() {
        // Pinned like the string hash: a changed finalizer would scatter restored state.
        assertEquals(0x9CA066F1A4AB2EEAL, HashKernel.hashLong(0L));
        assertEquals(0x2D1C8760F8047FC7L, HashKernel.hashLong(42L));
        assertEquals(0x3CD617BBBCC39640L, HashKernel.hashLong(-1L));
        Set<Long> seen = new HashSet<>();
        for (long i = 0; i < 100_000; i++) {
            seen.add(HashKernel.hashLong(i));
        }
        assertEquals(100_000, seen.size(), "distinct small integers get distinct hashes");
    }

    @Test
    void equalValuesHashEqualAcrossTypesAndBatches() {
        BatchSchema schema = BatchSchema.of(Column.of("i", ColumnType.INT32), Column.of("l", ColumnType.INT64),
                Column.of("t", ColumnType.TIMESTAMP_MS), Column.of("d", ColumnType.FLOAT64),
                Column.of("s", ColumnType.UTF8), Column.of("b", ColumnType.BOOL));
        try (RecordBatch one = RecordBatchBuilder.fromRows(schema, allocator,
                new Object[] {7, 7L, 7L, 0.0, "x", true}, new Object[] {-3, -3L, -3L, -0.0, "日本", false});
             RecordBatch two = RecordBatchBuilder.fromRows(schema, allocator,
                     new Object[] {-3, -3L, -3L, 0.0, "日本", false})) {
            long[][] hashes = new long[6][2];
            long[][] again = new long[6][1];
            for (int c = 0; c < 6; c++) {
                HashKernel.hash(one, new int[] {c}, hashes[c]);
                HashKernel.hash(two, new int[] {c}, again[c]);
                assertEquals(hashes[c][1], again[c][0], "column " + c + " row 1 of batch one equals row 0 of two");
            }
            assertEquals(hashes[0][0], hashes[1][0], "int32 7 and int64 7");
            assertEquals(hashes[1][0], hashes[2][0], "int64 7 and timestamp 7");
            assertEquals(hashes[3][0], hashes[3][1], "0.0 and -0.0");
            assertEquals(HashKernel.hashLong(7L), hashes[1][0]);
            assertEquals(xxh64("日本"), hashes[4][1]);
        }
    }

    @Test
    void severalKeyColumnsFoldInOrderAndNullsHashToAConstant() {
        BatchSchema schema = BatchSchema.of(Column.nullable("a", ColumnType.INT64), Column.nullable("b", ColumnType.UTF8));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {1L, "x"},
                new Object[] {null, "x"}, new Object[] {1L, null}, new Object[] {null, null})) {
            long[] both = new long[4];
            long[] reversed = new long[4];
            HashKernel.hash(batch, new int[] {0, 1}, both);
            HashKernel.hash(batch, new int[] {1, 0}, reversed);
            assertEquals(HashKernel.combine(HashKernel.hashLong(1L), xxh64("x")), both[0]);
            assertEquals(HashKernel.combine(HashKernel.NULL_HASH, xxh64("x")), both[1]);
            assertEquals(HashKernel.combine(HashKernel.hashLong(1L), HashKernel.NULL_HASH), both[2]);
            assertEquals(HashKernel.combine(HashKernel.NULL_HASH, HashKernel.NULL_HASH), both[3]);
            assertNotEquals(both[0], reversed[0], "column order matters");
        }
    }

    @Test
    void hashesSpreadEvenlyOverKeyGroups() {
        // Sequential keys (the brief's key = i mod K) must still fill all 128 key groups evenly.
        int groups = 128;
        int[] counts = new int[groups];
        int n = 1_280_000;
        for (long i = 0; i < n; i++) {
            counts[(int) ((HashKernel.hashLong(i) & Long.MAX_VALUE) % groups)]++;
        }
        for (int g = 0; g < groups; g++) {
            assertTrue(Math.abs(counts[g] - n / groups) < 500, "key group " + g + " got " + counts[g]);
        }
    }

    /** Binary keys hash their bytes as utf8 keys do: equal bytes hash equal in any batch, nulls to a constant. */
    @Test
    void binaryValuesHashTheirBytes() {
        BatchSchema schema = BatchSchema.of(Column.nullable("raw", ColumnType.BINARY), Column.of("s", ColumnType.UTF8));
        try (RecordBatchBuilder b = new RecordBatchBuilder(schema, allocator, 4)) {
            b.addRow("ab".getBytes(StandardCharsets.UTF_8), "ab");
            b.addRow(null, "x");
            b.addRow(new byte[] {(byte) 0x80, 0}, "y");
            b.addRow("ab".getBytes(StandardCharsets.UTF_8), "ab");
            try (RecordBatch batch = b.build()) {
                long[] binary = new long[4];
                long[] utf8 = new long[4];
                HashKernel.hash(batch, new int[] {0}, binary);
                HashKernel.hash(batch, new int[] {1}, utf8);
                assertEquals(utf8[0], binary[0]);
                assertEquals(binary[0], binary[3]);
                assertEquals(HashKernel.NULL_HASH, binary[1]);
                assertNotEquals(binary[0], binary[2]);
            }
        }
    }

    @Test
    void stringHashDependsOnTheBytesNotTheirAddressOrAlignment() {
        Random random = new Random(5);
        Set<Long> seen = new HashSet<>();
        for (int length = 0; length < 100; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            try (ArrowBuf buf = allocator.buffer(length + 16)) {
                buf.setBytes(0, bytes);
                long aligned = HashKernel.hashBytes(buf.memoryAddress(), length);
                buf.setBytes(7, bytes);
                assertEquals(aligned, HashKernel.hashBytes(buf.memoryAddress() + 7, length), "length " + length);
                assertTrue(seen.add(aligned), "length " + length + " collides with a shorter input");
            }
        }
    }

    @Test
    void everyPathMatchesReferenceXxh64AtEveryLengthAndAlignment() {
        long seed = 17;
        Random random = new Random(seed);
        for (int length = 0; length <= 100; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            long want = referenceXxh64(bytes);
            for (int offset : new int[] {0, 1, 3, 4, 7}) {
                String where = "seed " + seed + ", length " + length + ", offset " + offset;
                try (ArrowBuf buf = allocator.buffer(offset + length + 8)) {
                    byte[] garbage = new byte[(int) buf.capacity()];
                    random.nextBytes(garbage);
                    buf.setBytes(0, garbage);
                    buf.setBytes(offset, bytes);
                    long key = buf.memoryAddress() + offset;
                    long bufferEnd = buf.memoryAddress() + buf.capacity();
                    assertEquals(want, HashKernel.hashBytes(key, length), where);
                    assertEquals(want, HashKernel.hashBytes(key, length, bufferEnd), where + ", bytes after the key");
                    assertEquals(want, HashKernel.hashBytes(key, length, key + (length & ~7) + 8),
                            where + ", just room for the last word");
                    assertEquals(want, HashKernel.hashBytes(key, length, key + length),
                            where + ", nothing after the key");
                    buf.setBytes(buf.capacity() - length, bytes);
                    assertEquals(want, HashKernel.hashBytes(bufferEnd - length, length, bufferEnd),
                            where + ", the key ends the buffer");
                }
            }
        }
    }

    @Test
    void utf8ColumnHashesMatchReferenceUpToTheEndOfItsDataBuffer() {
        long seed = 23;
        Random random = new Random(seed);
        try (VarCharVector words = new VarCharVector("s", allocator)) {
            words.allocateNew(4096, 64);
            int capacity = (int) words.getDataBuffer().capacity();
            java.util.List<byte[]> keys = new java.util.ArrayList<>();
            for (int used = 0; used < capacity; ) {
                int room = capacity - used;
                byte[] key = new byte[room <= 12 ? room : random.nextInt(12)];
                random.nextBytes(key);
                words.setSafe(keys.size(), key);
                keys.add(key);
                used += key.length;
            }
            words.setValueCount(keys.size());
            assertEquals(capacity, words.getDataBuffer().capacity(), "the data buffer did not grow");
            try (RecordBatch batch = RecordBatch.wrap(BatchSchema.of(Column.of("s", ColumnType.UTF8)),
                    new FieldVector[] {words}, keys.size())) {
                long[] hashes = new long[keys.size()];
                HashKernel.hash(batch, new int[] {0}, hashes);
                for (int i = 0; i < keys.size(); i++) {
                    assertEquals(referenceXxh64(keys.get(i)), hashes[i], "seed " + seed + ", row " + i);
                }
            }
        }
    }

    @Test
    void rejectsTooSmallOutputAndMissingKeys() {
        BatchSchema schema = BatchSchema.of(Column.of("a", ColumnType.INT64));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {1L}, new Object[] {2L})) {
            assertEquals("hash output has room for 1 rows; the batch has 2", assertThrows(IllegalArgumentException.class,
                    () -> HashKernel.hash(batch, new int[] {0}, new long[1])).getMessage());
            assertEquals("at least one key column is needed", assertThrows(IllegalArgumentException.class,
                    () -> HashKernel.hash(batch, new int[0], new long[2])).getMessage());
        }
    }

    private long xxh64(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        try (ArrowBuf buf = allocator.buffer(Math.max(1, bytes.length))) {
            buf.setBytes(0, bytes);
            return HashKernel.hashBytes(buf.memoryAddress(), bytes.length);
        }
    }

    /** XXH64 with seed 0, written plainly over a byte array: the reference the kernel's paths must match. */
    private static long referenceXxh64(byte[] b) {
        final long p1 = 0x9E3779B185EBCA87L;
        final long p2 = 0xC2B2AE3D27D4EB4FL;
        final long p3 = 0x165667B19E3779F9L;
        final long p4 = 0x85EBCA77C2B2AE63L;
        final long p5 = 0x27D4EB2F165667C5L;
        int length = b.length;
        int p = 0;
        long h;
        if (length >= 32) {
            long v1 = p1 + p2;
            long v2 = p2;
            long v3 = 0;
            long v4 = -p1;
            do {
                v1 = Long.rotateLeft(v1 + littleEndian(b, p, 8) * p2, 31) * p1;
                v2 = Long.rotateLeft(v2 + littleEndian(b, p + 8, 8) * p2, 31) * p1;
                v3 = Long.rotateLeft(v3 + littleEndian(b, p + 16, 8) * p2, 31) * p1;
                v4 = Long.rotateLeft(v4 + littleEndian(b, p + 24, 8) * p2, 31) * p1;
                p += 32;
            } while (p <= length - 32);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            for (long v : new long[] {v1, v2, v3, v4}) {
                h ^= Long.rotateLeft(v * p2, 31) * p1;
                h = h * p1 + p4;
            }
        } else {
            h = p5;
        }
        h += length;
        for (; p + 8 <= length; p += 8) {
            h ^= Long.rotateLeft(littleEndian(b, p, 8) * p2, 31) * p1;
            h = Long.rotateLeft(h, 27) * p1 + p4;
        }
        if (p + 4 <= length) {
            h ^= littleEndian(b, p, 4) * p1;
            h = Long.rotateLeft(h, 23) * p2 + p3;
            p += 4;
        }
        for (; p < length; p++) {
            h ^= (b[p] & 0xFFL) * p5;
            h = Long.rotateLeft(h, 11) * p1;
        }
        h ^= h >>> 33;
        h *= p2;
        h ^= h >>> 29;
        h *= p3;
        return h ^ (h >>> 32);
    }

    private static long littleEndian(byte[] b, int from, int count) {
        long v = 0;
        for (int i = count - 1; i >= 0; i--) {
            v = (v << 8) | (b[from + i] & 0xFFL);
        }
        return v;
    }
}
