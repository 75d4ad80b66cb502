package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.ArrowTest;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.junit.jupiter.api.Test;

class OffHeapHashTableTest extends ArrowTest {
    static final BatchSchema LONG_KEYS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("price", ColumnType.FLOAT64));
    static final BatchSchema STRING_KEYS = BatchSchema.of(Column.of("word", ColumnType.UTF8),
            Column.of("value", ColumnType.INT64), Column.of("price", ColumnType.FLOAT64));
    static final Aggregate[] ALL = {Aggregate.sum("value"), Aggregate.count(), Aggregate.min("value"),
        Aggregate.max("value"), Aggregate.avg("value"), Aggregate.sum("price"), Aggregate.min("price"),
        Aggregate.max("price"), Aggregate.avg("price")};

    /** Per-group reference accumulators, in first-appearance order like the table's group ids. */
    static final class Acc {
        long sum;
        long count;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        double priceSum;
        double priceMin = Double.POSITIVE_INFINITY;
        double priceMax = Double.NEGATIVE_INFINITY;

        void add(long value, double price) {
            sum += value;
            count++;
            min = Math.min(min, value);
            max = Math.max(max, value);
            priceSum += price;
            priceMin = price < priceMin ? price : priceMin;
            priceMax = price > priceMax ? price : priceMax;
        }

        List<Object> row(Object key) {
            return List.of(key, sum, count, min, max, (double) sum / count, priceSum, priceMin, priceMax,
                    priceSum / count);
        }
    }

    interface KeySource {
        Object next(Random random);
    }

    @Test
    void matchesHashMapOnUniformLongKeys() {
        for (long seed = 1; seed <= 25; seed++) {
            int distinct = 1 + new Random(seed).nextInt(seed % 5 == 0 ? 50_000 : 2_000);
            check(seed, LONG_KEYS, r -> (long) r.nextInt(distinct) - distinct / 2, null);
        }
    }

    @Test
    void matchesHashMapOnSparseLongKeys() {
        for (long seed = 50; seed <= 60; seed++) {
            int distinct = 1 + new Random(seed).nextInt(20_000);
            check(seed, LONG_KEYS, r -> sparse(r.nextInt(distinct)), null);
        }
    }

    @Test
    void matchesHashMapOnSkewedLongKeys() {
        for (long seed = 100; seed < 115; seed++) {
            // Heavy head, long tail: a few keys take most rows, as in Zipf-distributed data.
            check(seed, LONG_KEYS, r -> (long) Math.floor(Math.exp(r.nextDouble() * Math.log(100_000))), null);
        }
    }

    @Test
    void matchesHashMapOnUtf8Keys() {
        for (long seed = 200; seed < 215; seed++) {
            int distinct = 1 + new Random(seed).nextInt(5_000);
            check(seed, STRING_KEYS, r -> word(r.nextInt(distinct)), null);
        }
    }

    @Test
    void staysExactWhenEveryKeyCollides() {
        for (long seed = 300; seed < 306; seed++) {
            check(seed, LONG_KEYS, r -> sparse(r.nextInt(700)), h -> 42L);
            check(seed, STRING_KEYS, r -> word(r.nextInt(700)), h -> h & 0xF00L);
        }
    }

    @Test
    void staysExactOnShortKeysThatDifferInTheirLastByte() {
        for (long seed = 310; seed < 316; seed++) {
            // Keys of 0 to 9 bytes over two letters, colliding in their hashes: every lookup compares bytes.
            check(seed, STRING_KEYS, r -> shortWord(r), h -> h & 0xF00L);
        }
    }

    @Test
    void growsThroughManyRehashes() {
        GroupBySpec spec = GroupBySpec.of(LONG_KEYS, 0, Aggregate.sum(1));
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.75)) {
            assertEquals(16, table.capacity());
            Random random = new Random(7);
            Map<Long, Acc> reference = new LinkedHashMap<>();
            for (int b = 0; b < 100; b++) {
                Object[][] rows = new Object[3000][];
                for (int i = 0; i < rows.length; i++) {
                    long key = sparse(b * 2000 + random.nextInt(2500));
                    rows[i] = new Object[] {key, (long) i, 0.5};
                    reference.computeIfAbsent(key, k -> new Acc()).add(i, 0.5);
                }
                try (RecordBatch batch = RecordBatchBuilder.fromRows(LONG_KEYS, allocator, rows)) {
                    table.aggregate(batch);
                }
            }
            assertEquals(reference.size(), table.groupCount());
            assertFalse(table.isDirect(), "sparse keys are hashed");
            assertEquals(1 << 18, table.capacity(), "16 slots doubled 14 times for ~" + reference.size() + " groups");
            List<List<Object>> expected = new ArrayList<>();
            for (Map.Entry<Long, Acc> e : reference.entrySet()) {
                expected.add(List.of(e.getKey(), e.getValue().sum));
            }
            assertEquals(expected, emitAll(table, 777));
        }
    }

    @Test
    void denseKeysGoThroughAGrowingDirectIndex() {
        GroupBySpec spec = GroupBySpec.of(LONG_KEYS, 0, Aggregate.sum(1), Aggregate.count());
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.75)) {
            Map<Long, Acc> reference = new LinkedHashMap<>();
            Random random = new Random(21);
            for (int b = 0; b < 60; b++) {
                // Keys drift downward and upward around 1e12, always dense: i mod K-like ids.
                long centre = 1_000_000_000_000L + (b % 2 == 0 ? b * 5000L : -b * 5000L);
                Object[][] rows = new Object[4000][];
                for (int i = 0; i < rows.length; i++) {
                    long key = centre + random.nextInt(6000);
                    rows[i] = new Object[] {key, (long) i, 0.0};
                    reference.computeIfAbsent(key, k -> new Acc()).add(i, 0.0);
                }
                try (RecordBatch batch = RecordBatchBuilder.fromRows(LONG_KEYS, allocator, rows)) {
                    table.aggregate(batch);
                }
                assertTrue(table.isDirect(), "batch " + b);
            }
            List<List<Object>> want = new ArrayList<>();
            for (Map.Entry<Long, Acc> e : reference.entrySet()) {
                want.add(List.of(e.getKey(), e.getValue().sum, e.getValue().count));
            }
            assertEquals(want, emitAll(table, 5000));
        }
    }

    @Test
    void movesFromTheDirectIndexToHashingWhenKeysTurnSparse() {
        GroupBySpec spec = GroupBySpec.of(LONG_KEYS, 0, Aggregate.sum(1));
        for (long seed = 70; seed < 80; seed++) {
            Random random = new Random(seed);
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.75)) {
                Map<Long, Acc> reference = new LinkedHashMap<>();
                int switchAt = 1 + random.nextInt(10);
                for (int b = 0; b < 15; b++) {
                    Object[][] rows = new Object[1 + random.nextInt(3000)][];
                    for (int i = 0; i < rows.length; i++) {
                        long key = b < switchAt || random.nextBoolean() ? random.nextInt(5000) : random.nextLong();
                        rows[i] = new Object[] {key, (long) i, 0.0};
                        reference.computeIfAbsent(key, k -> new Acc()).add(i, 0.0);
                    }
                    try (RecordBatch batch = RecordBatchBuilder.fromRows(LONG_KEYS, allocator, rows)) {
                        table.aggregate(batch);
                    }
                    assertEquals(b < switchAt, table.isDirect(), "batch " + b + ", seed " + seed);
                }
                List<List<Object>> want = new ArrayList<>();
                for (Map.Entry<Long, Acc> e : reference.entrySet()) {
                    want.add(List.of(e.getKey(), e.getValue().sum));
                }
                assertEquals(want, emitAll(table, 1000), "seed " + seed);
            }
        }
    }

    /** The table hashing the keys itself gives every row the group the caller-hashed variant gives it. */
    @Test
    void findOrInsertHashingItselfMatchesTheHashedCall() {
        for (long seed = 0; seed < 12; seed++) {
            Random random = new Random(seed);
            boolean utf8 = seed % 3 == 2;
            BatchSchema schema = utf8 ? STRING_KEYS : LONG_KEYS;
            GroupBySpec spec = GroupBySpec.of(schema, 0, Aggregate.sum(1));
            try (OffHeapHashTable mine = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.75);
                 OffHeapHashTable theirs = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.75)) {
                int switchAt = 1 + random.nextInt(6);
                for (int b = 0; b < 10; b++) {
                    Object[][] rows = new Object[1 + random.nextInt(2000)][];
                    for (int i = 0; i < rows.length; i++) {
                        long key = b < switchAt || random.nextBoolean() ? random.nextInt(3000) : random.nextLong();
                        rows[i] = new Object[] {utf8 ? "k" + key : key, (long) i, 0.0};
                    }
                    try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, rows)) {
                        int[] selfHashed = new int[rows.length];
                        mine.findOrInsert(batch, selfHashed);
                        long[] hashes = new long[rows.length];
                        HashKernel.hash(batch, new int[] {0}, hashes);
                        int[] hashed = new int[rows.length];
                        theirs.findOrInsert(batch, hashes, hashed);
                        assertArrayEquals(hashed, selfHashed, "batch " + b + ", seed " + seed);
                    }
                    assertEquals(!utf8 && b < switchAt, mine.isDirect(), "batch " + b + ", seed " + seed);
                }
                assertEquals(theirs.groupCount(), mine.groupCount());
            }
        }
    }

    @Test
    void aDirectIndexOverBudgetKeepsTheTableAsItWas() {
        GroupBySpec spec = GroupBySpec.of(LONG_KEYS, 0, Aggregate.sum(1));
        Object[][] first = {{0L, 10L, 0.0}, {63L, 20L, 0.0}, {0L, 1L, 0.0}};
        long afterFirst;
        try (OffHeapHashTable probe = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.5)) {
            aggregate(probe, first);
            afterFirst = probe.memoryUsed();
        }
        long budget = afterFirst + 100;
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, budget, 1, 0.5)) {
            aggregate(table, first);
            assertTrue(table.isDirect());
            // Keys inside the indexed range [0, 63]: the index fits, the ninth group needs a bigger region.
            Object[][] many = new Object[40][];
            for (int i = 0; i < many.length; i++) {
                many[i] = new Object[] {i % 2 == 0 ? 63L : (long) i, 5L, 0.0};
            }
            MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                    () -> aggregate(table, many));
            assertTrue(e.getMessage().contains("to grow with room for 16 groups, over its memory budget of "
                    + budget + " bytes (holding 8 groups"), e.getMessage());
            assertEquals(2, table.groupCount(), "the six groups the failed batch inserted are gone");
            assertEquals(List.of(List.of(0L, 11L), List.of(63L, 20L)), emitAll(table, 10));
            aggregate(table, new Object[][] {{63L, 1L, 0.0}, {5L, 7L, 0.0}});
            assertEquals(List.of(List.of(0L, 11L), List.of(63L, 21L), List.of(5L, 7L)), emitAll(table, 10));
        }
    }

    /**
     * The direct index is widened when the probe reaches a key outside it, after the batch's earlier new keys
     * went in: when widening fails, those groups are taken out again.
     */
    @Test
    void aDirectIndexThatCannotWidenHalfwayThroughABatchKeepsTheTableAsItWas() {
        GroupBySpec spec = GroupBySpec.of(LONG_KEYS, 0, Aggregate.sum(1));
        Object[][] first = {{0L, 10L, 0.0}, {63L, 20L, 0.0}};
        long afterFirst;
        try (OffHeapHashTable probe = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.5)) {
            aggregate(probe, first);
            afterFirst = probe.memoryUsed();
        }
        long budget = afterFirst + 100;
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, budget, 1, 0.5)) {
            aggregate(table, first);
            Object[][] widening = {{5L, 1L, 0.0}, {63L, 2L, 0.0}, {1000L, 3L, 0.0}};
            MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                    () -> aggregate(table, widening));
            assertTrue(e.getMessage().contains("to extend its direct index to 1001 keys, over its memory budget of "
                    + budget + " bytes (holding 3 groups"), e.getMessage());
            assertEquals(2, table.groupCount(), "key 5, inserted before key 1000 failed, is gone");
            assertEquals(List.of(List.of(0L, 10L), List.of(63L, 20L)), emitAll(table, 10));
            aggregate(table, new Object[][] {{5L, 7L, 0.0}, {63L, 1L, 0.0}});
            assertEquals(List.of(List.of(0L, 10L), List.of(63L, 21L), List.of(5L, 7L)), emitAll(table, 10));
            assertTrue(table.isDirect());
        }
    }

    private void aggregate(OffHeapHashTable table, Object[][] rows) {
        try (RecordBatch batch = RecordBatchBuilder.fromRows(table.spec().inputSchema(), allocator, rows)) {
            table.aggregate(batch);
        }
    }

    @Test
    void failsOverBudgetAndKeepsTheTableAsItWas() {
        GroupBySpec spec = GroupBySpec.of(STRING_KEYS, 0, Aggregate.sum(1), Aggregate.count());
        OffHeapHashTable probe = new OffHeapHashTable(spec, allocator, 1L << 30, 1, 0.5);
        long smallest = probe.memoryUsed();
        probe.close();
        // Room for the first region and one doubling, not for the second.
        long budget = smallest + probe.regionBytesFor(32) + 100;
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, budget, 1, 0.5)) {
            try (RecordBatch first = RecordBatchBuilder.fromRows(STRING_KEYS, allocator,
                    row("a", 1), row("b", 2), row("a", 3))) {
                table.aggregate(first);
            }
            assertEquals(2, table.groupCount());
            Object[][] many = new Object[40][];
            for (int i = 0; i < many.length; i++) {
                many[i] = row(i % 2 == 0 ? "a" : "new-" + i, 10);
            }
            long used = table.memoryUsed();
            try (RecordBatch second = RecordBatchBuilder.fromRows(STRING_KEYS, allocator, many)) {
                MemoryBudgetExceededException e = assertThrows(MemoryBudgetExceededException.class,
                        () -> table.aggregate(second));
                assertTrue(e.getMessage().startsWith("hash table for (word: utf8, sum(value): int64, count: int64) needs "),
                        e.getMessage());
                assertTrue(e.getMessage().contains("over its memory budget of " + budget + " bytes"), e.getMessage());
                assertEquals(budget, e.budgetBytes());
                assertTrue(e.requestedBytes() > budget);
            }
            assertEquals(2, table.groupCount(), "groups inserted by the failed batch are gone");
            assertEquals(List.of(List.of("a", 4L, 2L), List.of("b", 2L, 1L)), emitAll(table, 10));
            assertTrue(table.memoryUsed() <= budget && table.memoryUsed() >= used);
            try (RecordBatch third = RecordBatchBuilder.fromRows(STRING_KEYS, allocator, row("b", 5), row("c", 1))) {
                table.aggregate(third);
            }
            assertEquals(List.of(List.of("a", 4L, 2L), List.of("b", 7L, 2L), List.of("c", 1L, 1L)), emitAll(table, 10));
        }
    }

    /**
     * Short words are looked up through the short-key index; a table whose keys are mostly long drops the
     * index after a run of batches it could not serve, and gives the same groups either way.
     */
    @Test
    void shortWordsKeepTheShortKeyIndexAndLongKeysDropIt() {
        GroupBySpec spec = GroupBySpec.of(STRING_KEYS, 0, Aggregate.count());
        try (OffHeapHashTable words = new OffHeapHashTable(spec, allocator, 1L << 30);
             OffHeapHashTable sentences = new OffHeapHashTable(spec, allocator, 1L << 30)) {
            for (int batch = 0; batch < 40; batch++) {
                Object[][] shortRows = new Object[200][];
                Object[][] longRows = new Object[200][];
                for (int i = 0; i < 200; i++) {
                    shortRows[i] = row(letters((batch * 13 + i) % 500), 1);
                    longRows[i] = row("a sentence rather than a word " + (batch * 13 + i) % 500, 1);
                }
                try (RecordBatch a = RecordBatchBuilder.fromRows(STRING_KEYS, allocator, shortRows);
                     RecordBatch b = RecordBatchBuilder.fromRows(STRING_KEYS, allocator, longRows)) {
                    words.aggregate(a);
                    sentences.aggregate(b);
                }
            }
            assertTrue(words.shortKeyIndexBytes() > 0, "the words' index is kept");
            assertEquals(0, sentences.shortKeyIndexBytes(), "the sentences' index is dropped");
            List<List<Object>> counted = emitAll(words, 1000);
            assertEquals(500, counted.size());
            long total = 0;
            for (int g = 0; g < counted.size(); g++) {
                assertEquals(letters(g), counted.get(g).get(0), "groups in first-appearance order");
                total += (Long) counted.get(g).get(1);
            }
            assertEquals(40 * 200, total);
            assertEquals(500, sentences.groupCount());
        }
    }

    @Test
    void aggregatingKnownKeysAllocatesNothingPerBatch() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        GroupBySpec spec = GroupBySpec.of(LONG_KEYS, 0, ALL);
        Object[][] rows = new Object[4096][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Object[] {(long) (i % 1000), (long) i, i * 0.5};
        }
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 30);
             RecordBatch batch = RecordBatchBuilder.fromRows(LONG_KEYS, allocator, rows)) {
            long before = 0;
            for (int i = 0; i < 20_000; i++) {
                if (i == 10_000) {
                    before = threads.getThreadAllocatedBytes(me);
                }
                table.aggregate(batch);
            }
            long allocated = threads.getThreadAllocatedBytes(me) - before;
            assertTrue(allocated < 4096, "10k batches allocated " + allocated + " bytes");
            assertEquals(1000, table.groupCount());
        }
    }

    @Test
    void skipsNullInputsAndGivesNullForGroupsWithoutValues() {
        BatchSchema schema = BatchSchema.of(Column.of("k", ColumnType.INT32), Column.nullable("v", ColumnType.INT32),
                Column.nullable("d", ColumnType.FLOAT64));
        GroupBySpec spec = GroupBySpec.of(schema, "k", Aggregate.sum("v"), Aggregate.count("v"), Aggregate.count(),
                Aggregate.min("v"), Aggregate.max("v"), Aggregate.avg("v"), Aggregate.sum("d"), Aggregate.max("d"));
        assertEquals("(k: int32, sum(v): int64, count(v): int64, count: int64, min(v): int32, max(v): int32, "
                + "avg(v): float64, sum(d): float64, max(d): float64)", spec.outputSchema().toString());
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 20);
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                     new Object[] {1, 5, null}, new Object[] {2, null, null}, new Object[] {1, null, 2.5},
                     new Object[] {1, -3, 1.0}, new Object[] {2, null, null})) {
            table.aggregate(batch);
            List<Object> nulls = new ArrayList<>();
            nulls.add(2);
            nulls.add(null);
            nulls.add(0L);
            nulls.add(2L);
            for (int i = 0; i < 5; i++) {
                nulls.add(null);
            }
            assertEquals(List.of(List.of(1, 2L, 2L, 3L, -3, 5, 1.0, 3.5, 2.5), nulls), emitAll(table, 10));
        }
    }

    @Test
    void keepsTimestampsAsTimestampsForMinAndMax() {
        BatchSchema schema = BatchSchema.of(Column.of("k", ColumnType.INT64), Column.of("t", ColumnType.TIMESTAMP_MS));
        GroupBySpec spec = GroupBySpec.of(schema, 0, Aggregate.min(1), Aggregate.max(1).as("last"));
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 20);
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                     new Object[] {7L, 3000L}, new Object[] {7L, 1000L}, new Object[] {7L, 2000L});
             RecordBatch out = table.emit(0, 10, allocator)) {
            assertEquals(0, out.rowCount());
            table.aggregate(batch);
            try (RecordBatch result = table.emit(0, 10, allocator)) {
                assertEquals("(k: int64, min(t): timestamp[ms], last: timestamp[ms])", result.schema().toString());
                assertEquals("(7,1970-01-01T00:00:01Z,1970-01-01T00:00:03Z)\n", result.format(10));
            }
        }
    }

    @Test
    void currentValuesAreTheRunningAggregatePerRow() {
        GroupBySpec spec = GroupBySpec.of(STRING_KEYS, "word", Aggregate.sum("value"));
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 20);
             RecordBatch batch = RecordBatchBuilder.fromRows(STRING_KEYS, allocator, row("apple", 1),
                     row("banana", 2), row("apple", 3), row("banana", 4), row("apple", 5));
             BigIntVector running = new BigIntVector("sum", allocator);
             Float8Vector wrong = new Float8Vector("x", allocator)) {
            long[] hashes = new long[5];
            int[] groups = new int[5];
            HashKernel.hash(batch, new int[] {0}, hashes);
            table.findOrInsert(batch, hashes, groups);
            assertEquals(List.of(0, 1, 0, 1, 0), List.of(groups[0], groups[1], groups[2], groups[3], groups[4]));
            table.accumulate(batch, groups);
            table.currentValues(0, groups, 5, running);
            assertEquals(List.of(9L, 6L, 9L, 6L, 9L), values(running));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> table.currentValues(0, groups, 5, wrong));
            assertEquals("aggregate sum(value) is int64; the output vector is FloatingPoint(DOUBLE)", e.getMessage());
        }
    }

    @Test
    void rejectsNullKeysBeforeChangingAnything() {
        BatchSchema schema = BatchSchema.of(Column.nullable("k", ColumnType.INT64), Column.of("v", ColumnType.INT64));
        GroupBySpec spec = GroupBySpec.of(schema, 0, Aggregate.sum(1));
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 20);
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {1L, 1L},
                     new Object[] {null, 2L})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> table.aggregate(batch));
            assertEquals("null key in group key field 0 ('k', int64) at row 1; keys must not be null", e.getMessage());
            assertEquals(0, table.groupCount());
        }
    }

    @Test
    void rejectsBatchesThatDoNotFit() {
        GroupBySpec spec = GroupBySpec.of(LONG_KEYS, 0, Aggregate.sum(1));
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 20);
             RecordBatch other = RecordBatchBuilder.fromRows(STRING_KEYS, allocator, row("a", 1));
             RecordBatch selected = RecordBatchBuilder.fromRows(LONG_KEYS, allocator, new Object[] {1L, 1L, 1.0})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> table.aggregate(other));
            assertEquals("batch schema (word: utf8, value: int64, price: float64) is not the table's input schema "
                    + "(key: int64, value: int64, price: float64)", e.getMessage());
            selected.select(new SelectionVector(1));
            e = assertThrows(IllegalArgumentException.class, () -> table.aggregate(selected));
            assertEquals("the batch has a selection vector; gather the selected rows first (GatherKernel) so that "
                    + "group ids line up with rows", e.getMessage());
        }
    }

    @Test
    void specRejectsWrongFieldsAtPlanTime() {
        assertEquals("sum needs a numeric field (int32, int64 or float64), but field 0 ('word') is utf8",
                assertThrows(IllegalArgumentException.class,
                        () -> GroupBySpec.of(STRING_KEYS, 1, Aggregate.sum(0))).getMessage());
        assertEquals("group key field 2 ('price', float64): keys must be int32, int64, timestamp[ms] or utf8",
                assertThrows(IllegalArgumentException.class,
                        () -> GroupBySpec.of(LONG_KEYS, "price", Aggregate.count())).getMessage());
        assertEquals("no field named 'vlue': the schema has (key: int64, value: int64, price: float64)",
                assertThrows(IllegalArgumentException.class,
                        () -> GroupBySpec.of(LONG_KEYS, 0, Aggregate.max("vlue"))).getMessage());
        assertEquals("field index 5 is out of range: the schema has 3 fields (key: int64, value: int64, price: float64)",
                assertThrows(IllegalArgumentException.class,
                        () -> GroupBySpec.of(LONG_KEYS, 5, Aggregate.count())).getMessage());
        assertEquals("min needs a numeric field (int32, int64 or float64), but field 0 ('word') is utf8",
                assertThrows(IllegalArgumentException.class,
                        () -> GroupBySpec.of(STRING_KEYS, 1, Aggregate.min("word"))).getMessage());
    }

    /**
     * Runs random batches through the table and a LinkedHashMap, then compares every aggregate of every
     * group, in group order. {@code badHash} (when given) replaces the real hash to force collisions.
     */
    private void check(long seed, BatchSchema schema, KeySource keys, java.util.function.LongUnaryOperator badHash) {
        Random random = new Random(seed);
        GroupBySpec spec = GroupBySpec.of(schema, 0, ALL);
        Map<Object, Acc> reference = new LinkedHashMap<>();
        int expected = random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(10_000);
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 1L << 32, expected,
                0.3 + 0.6 * random.nextDouble())) {
            int batches = 1 + random.nextInt(20);
            long[] hashes = new long[4096];
            int[] groups = new int[4096];
            for (int b = 0; b < batches; b++) {
                int n = random.nextInt(4096);
                Object[][] rows = new Object[n][];
                for (int i = 0; i < n; i++) {
                    Object key = keys.next(random);
                    long value = random.nextInt(3) == 0 ? random.nextLong() >> 20 : random.nextInt(1000) - 500;
                    double price = random.nextInt(50) == 0 ? -0.0 : random.nextGaussian() * 100;
                    rows[i] = new Object[] {key, value, price};
                    reference.computeIfAbsent(key, k -> new Acc()).add(value, price);
                }
                try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, rows)) {
                    HashKernel.hash(batch, new int[] {0}, hashes);
                    if (badHash != null) {
                        for (int i = 0; i < n; i++) {
                            hashes[i] = badHash.applyAsLong(hashes[i]);
                        }
                    }
                    table.findOrInsert(batch, hashes, groups);
                    table.accumulate(batch, groups);
                }
            }
            List<List<Object>> want = new ArrayList<>();
            for (Map.Entry<Object, Acc> e : reference.entrySet()) {
                want.add(e.getValue().row(e.getKey()));
            }
            assertEquals(want, emitAll(table, 1 + random.nextInt(3000)), "seed " + seed);
        }
    }

    /** Every group's result row, emitting {@code chunk} groups per batch. */
    private List<List<Object>> emitAll(OffHeapHashTable table, int chunk) {
        List<List<Object>> rows = new ArrayList<>();
        for (int from = 0; from < table.groupCount(); from += chunk) {
            try (RecordBatch out = table.emit(from, chunk, allocator)) {
                for (int r = 0; r < out.rowCount(); r++) {
                    List<Object> row = new ArrayList<>();
                    for (int c = 0; c < out.columnCount(); c++) {
                        row.add(out.value(r, c));
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** Spreads small numbers over the whole int64 range, so that the table must hash them. */
    static long sparse(long i) {
        return i * 0x9E3779B97F4A7C15L;
    }

    static Object[] row(String word, long value) {
        return new Object[] {word, value, 1.0};
    }

    static String word(int i) {
        // Short, long (over 32 bytes: XXH64's striped loop), empty and multi-byte keys.
        switch (i % 4) {
            case 0: return "w" + i;
            case 1: return "a-rather-long-key-that-spans-more-than-thirty-two-bytes-" + i;
            case 2: return i == 2 ? "" : "ключ-" + i;
            default: return "日本" + i;
        }
    }

    /** {@code i} in base 26 with the letters a-z: "a", ..., "z", "ba", ... */
    static String letters(int i) {
        StringBuilder sb = new StringBuilder();
        int r = i;
        do {
            sb.append((char) ('a' + r % 26));
            r /= 26;
        } while (r > 0);
        return sb.reverse().toString();
    }

    static String shortWord(Random random) {
        char[] letters = new char[random.nextInt(10)];
        for (int i = 0; i < letters.length; i++) {
            letters[i] = random.nextBoolean() ? 'a' : 'b';
        }
        return new String(letters);
    }

    static List<Long> values(BigIntVector v) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < v.getValueCount(); i++) {
            out.add(v.get(i));
        }
        return out;
    }
}
