package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.kernel.HashKernel;
import org.junit.jupiter.api.Test;

/** {@link OffHeapHashTable#find}: lookups from another batch's key column, in every key mode, changing nothing. */
class FindTest extends ArrowTest {
    private static final BatchSchema BUILD_LONG = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.of("v", ColumnType.INT64));
    private static final BatchSchema PROBE_LONG = BatchSchema.of(Column.of("x", ColumnType.FLOAT64),
            Column.nullable("ref", ColumnType.INT64));
    private static final BatchSchema BUILD_UTF8 = BatchSchema.of(Column.of("name", ColumnType.UTF8),
            Column.of("v", ColumnType.INT64));
    private static final BatchSchema PROBE_UTF8 = BatchSchema.of(Column.nullable("who", ColumnType.UTF8));

    private interface Key {
        Object of(int i);
    }

    /**
     * Builds a table of keys {@code key.of(0 .. n-1)}, then looks up a mix of present, absent and null keys
     * and compares with a HashMap of first appearances.
     */
    private void check(BatchSchema build, BatchSchema probe, int probeKey, Key key, int n, long seed) {
        Random random = new Random(seed);
        GroupBySpec spec = GroupBySpec.of(build, 0, Aggregate.count());
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30)) {
            Map<Object, Integer> groups = new HashMap<>();
            RecordBatchBuilder rows = new RecordBatchBuilder(build, allocator, n);
            for (int i = 0; i < n; i++) {
                Object k = key.of(random.nextInt(n));
                groups.putIfAbsent(k, groups.size());
                rows.addRow(k, (long) i);
            }
            try (RecordBatch batch = rows.build()) {
                table.aggregate(batch);
            }
            int groupCount = table.groupCount();
            RecordBatchBuilder probes = new RecordBatchBuilder(probe, allocator, 2 * n);
            Object[] asked = new Object[2 * n];
            for (int i = 0; i < asked.length; i++) {
                int pick = random.nextInt(10);
                asked[i] = pick == 0 ? null : key.of(random.nextInt(2 * n));
                Object[] row = new Object[probe.columnCount()];
                row[probeKey] = asked[i];
                if (probe.columnCount() > 1) {
                    row[0] = (double) i;
                }
                probes.addRow(row);
            }
            try (RecordBatch batch = probes.build()) {
                long[] hashes = new long[asked.length];
                int[] found = new int[asked.length];
                HashKernel.hash(batch, new int[] {probeKey}, hashes);
                table.find(batch.vector(probeKey), asked.length, hashes, found);
                int[] expected = new int[asked.length];
                for (int i = 0; i < asked.length; i++) {
                    Integer g = asked[i] == null ? null : groups.get(asked[i]);
                    expected[i] = g == null ? -1 : g;
                }
                assertArrayEquals(expected, found, "seed " + seed);
                // The direct index looks keys up without hashes; a hashing table says it needs them.
                int[] unhashed = new int[asked.length];
                if (table.isDirect()) {
                    table.find(batch.vector(probeKey), asked.length, null, unhashed);
                    assertArrayEquals(expected, unhashed, "without hashes, seed " + seed);
                } else {
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> table.find(batch.vector(probeKey), asked.length, null, unhashed));
                    assertEquals("a table that hashes its keys looks them up by their hashes; none were given",
                            e.getMessage());
                }
            }
            assertEquals(groupCount, table.groupCount(), "find inserts nothing");
        }
    }

    @Test
    void findsDenseLongKeysThroughTheDirectIndex() {
        for (long seed = 0; seed < 10; seed++) {
            check(BUILD_LONG, PROBE_LONG, 1, i -> (long) i - 50, 500 + (int) seed * 100, seed);
        }
    }

    @Test
    void findsSparseLongKeysByHashing() {
        for (long seed = 10; seed < 20; seed++) {
            check(BUILD_LONG, PROBE_LONG, 1, i -> i * 0x9E3779B97F4A7C15L, 2_000 + (int) seed * 50, seed);
        }
    }

    @Test
    void findsUtf8Keys() {
        for (long seed = 20; seed < 30; seed++) {
            check(BUILD_UTF8, PROBE_UTF8, 0, i -> "key-" + i + "-" + "x".repeat(i % 13), 1_500, seed);
        }
    }

    @Test
    void findsShortUtf8Keys() {
        for (long seed = 30; seed < 36; seed++) {
            // One to three letters, like W4's words: the tail compare of keys shorter than a word.
            check(BUILD_UTF8, PROBE_UTF8, 0, i -> Integer.toString(i, 36), 1_500, seed);
        }
    }

    /**
     * Looks {@code probe} up in a table built from {@code build}, each in a column of its own integer type,
     * and returns the group found per probe key (in the order the build keys were first seen), -1 for none.
     */
    private int[] findAcrossWidths(ColumnType buildType, Object[] build, ColumnType probeType, Object[] probe,
                                   boolean direct) {
        BatchSchema buildSchema = BatchSchema.of(Column.of("k", buildType));
        BatchSchema probeSchema = BatchSchema.of(Column.of("k", probeType));
        try (OffHeapHashTable table = new OffHeapHashTable(GroupBySpec.of(buildSchema, 0, Aggregate.count()), allocator,
                1L << 30);
             RecordBatch keys = rows(buildSchema, build);
             RecordBatch probes = rows(probeSchema, probe)) {
            table.aggregate(keys);
            assertEquals(direct, table.isDirect(), "direct index");
            long[] hashes = new long[probe.length];
            int[] found = new int[probe.length];
            HashKernel.hash(probes, new int[] {0}, hashes);
            table.find(probes.vector(0), probe.length, hashes, found);
            return found;
        }
    }

    private RecordBatch rows(BatchSchema schema, Object[] keys) {
        RecordBatchBuilder builder = new RecordBatchBuilder(schema, allocator, keys.length);
        for (Object k : keys) {
            builder.addRow(k);
        }
        return builder.build();
    }

    @Test
    void integerKeysOfEitherWidthAreFoundByValue() {
        // Small keys (the direct index) and keys spread to the extremes (hashed), each way round. An int64
        // whose low 32 bits equal an int32 key (2^32 + 3, -2^32 - 7) is another value and finds nothing.
        Object[] small32 = {3, -7, 0, 12};
        Object[] small64 = {3L, -7L, 0L, 12L};
        Object[] wide32 = {3, -7, Integer.MIN_VALUE, Integer.MAX_VALUE};
        Object[] wide64 = {3L, -7L, (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE};
        Object[] probe64 = {12L, (1L << 32) + 3, -7L, -(1L << 32) - 7, (long) Integer.MAX_VALUE + 1,
                (long) Integer.MIN_VALUE, Long.MIN_VALUE, Long.MAX_VALUE, 3L, (long) Integer.MAX_VALUE};
        int[] smallExpected = {3, -1, 1, -1, -1, -1, -1, -1, 0, -1};
        int[] wideExpected = {-1, -1, 1, -1, -1, 2, -1, -1, 0, 3};
        assertArrayEquals(smallExpected, findAcrossWidths(ColumnType.INT32, small32, ColumnType.INT64, probe64, true));
        assertArrayEquals(wideExpected, findAcrossWidths(ColumnType.INT32, wide32, ColumnType.INT64, probe64, false));
        Object[] probe32 = {12, -7, Integer.MIN_VALUE, 5, 3, Integer.MAX_VALUE, 0};
        assertArrayEquals(new int[] {3, 1, -1, -1, 0, -1, 2},
                findAcrossWidths(ColumnType.INT64, small64, ColumnType.INT32, probe32, true));
        assertArrayEquals(new int[] {-1, 1, 2, -1, 0, 3, -1},
                findAcrossWidths(ColumnType.INT64, wide64, ColumnType.INT32, probe32, false));
        assertArrayEquals(new int[] {-1, 1, 2, -1, 0, 3, -1},
                findAcrossWidths(ColumnType.TIMESTAMP_MS, wide64, ColumnType.INT32, probe32, false));
    }

    @Test
    void aKeyColumnOfAnotherTypeIsRefused() {
        GroupBySpec spec = GroupBySpec.of(BUILD_LONG, 0, Aggregate.count());
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30);
             RecordBatch probe = new RecordBatchBuilder(PROBE_UTF8, allocator, 1).addRow("a").build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> table.find(probe.vector(0), 1, new long[1], new int[1]));
            assertEquals("keys of type utf8 cannot be looked up in a table keyed by int64", e.getMessage());
            assertFalse(table.groupCount() > 0);
            assertTrue(table.isDirect());
        }
    }
}
