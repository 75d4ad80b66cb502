package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.SelectionVector;
import org.junit.jupiter.api.Test;

class GatherKernelTest extends ArrowTest {
    private static final int SEEDS = 60;

    @Test
    void copiesTheSelectedRowsOfEveryColumnIntoAReusedTarget() {
        try (RecordBatch target = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 1)) {
            for (long seed = 1; seed <= SEEDS; seed++) {
                Random r = new Random(seed);
                try (RecordBatch source = RandomBatches.create(allocator, r, r.nextInt(1000))) {
                    SelectionVector selection = r.nextBoolean() ? RandomBatches.subset(r, source.rowCount())
                            : anyOrder(r, source.rowCount());
                    target.select(new SelectionVector(1));
                    GatherKernel.gather(source, selection, target);
                    assertGathered(source, selection, target, "seed " + seed);
                }
            }
        }
    }

    @Test
    void copyRowsCopiesADensePrefixOfEveryColumn() {
        try (RecordBatch target = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 1)) {
            for (long seed = 1; seed <= SEEDS; seed++) {
                Random r = new Random(seed);
                try (RecordBatch source = RandomBatches.create(allocator, r, r.nextInt(1000))) {
                    int n = r.nextBoolean() ? source.rowCount() : r.nextInt(source.rowCount() + 1);
                    for (int c = 0; c < source.columnCount(); c++) {
                        GatherKernel.copyRows(source, c, n, target, c);
                    }
                    target.setRowCount(n);
                    for (int c = 0; c < source.columnCount(); c++) {
                        for (int row = 0; row < n; row++) {
                            assertEquals(RandomBatches.value(source, row, c), RandomBatches.value(target, row, c),
                                    "seed " + seed + ", column " + c + ", row " + row);
                        }
                    }
                }
            }
        }
    }

    /**
     * Gathering column by column by a row array, as a keyed store is read by group id: rows in any order, or in
     * runs of neighbours (keys arriving round after round in the order they first came); the source's nulls as
     * the caller says (a source without nulls is not read for them).
     */
    @Test
    void gathersEachColumnByARowArrayInAnyOrder() {
        try (RecordBatch target = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 1)) {
            for (long seed = 1; seed <= SEEDS; seed++) {
                Random r = new Random(seed);
                try (RecordBatch source = RandomBatches.create(allocator, r, 1 + r.nextInt(1000))) {
                    int n = r.nextInt(2000);
                    int[] rows = new int[n];
                    boolean runs = r.nextBoolean();
                    int next = r.nextInt(source.rowCount());
                    for (int j = 0; j < n; j++) {
                        // Runs: neighbours, wrapping at the end, with a jump now and then.
                        next = runs ? (r.nextInt(100) == 0 ? r.nextInt(source.rowCount()) : (next + 1) % source.rowCount())
                                : r.nextInt(source.rowCount());
                        rows[j] = next;
                    }
                    for (int c = 0; c < source.columnCount(); c++) {
                        boolean hasNulls = source.vector(c).getNullCount() > 0;
                        GatherKernel.gatherColumn(source, c, hasNulls, rows, n, target, c);
                    }
                    target.setRowCount(n);
                    String where = "seed " + seed + (runs ? ", runs" : ", any order");
                    for (int j = 0; j < n; j++) {
                        for (int c = 0; c < source.columnCount(); c++) {
                            assertEquals(source.value(rows[j], c), target.value(j, c),
                                    where + ", row " + j + ", " + source.schema().describe(c));
                        }
                    }
                }
            }
        }
    }

    /** Binary columns are variable width: gathered and copied with their offsets, byte for byte. */
    @Test
    void gathersAndCopiesBinaryValuesWithTheirBytes() {
        BatchSchema schema = BatchSchema.of(Column.nullable("raw", ColumnType.BINARY));
        byte[][] values = {{1, 2, 3}, null, {}, {(byte) 0xff}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
        try (RecordBatchBuilder b = new RecordBatchBuilder(schema, allocator, values.length)) {
            for (byte[] value : values) {
                b.addRow((Object) value);
            }
            try (RecordBatch source = b.build();
                 RecordBatch gathered = RecordBatch.allocate(schema, allocator, 1);
                 RecordBatch copied = RecordBatch.allocate(schema, allocator, 1)) {
                int[] rows = {4, 1, 0, 2, 3};
                GatherKernel.gatherColumn(source, 0, true, rows, rows.length, gathered, 0);
                gathered.setRowCount(rows.length);
                GatherKernel.copyRows(source, 0, values.length, copied, 0);
                copied.setRowCount(values.length);
                for (int j = 0; j < rows.length; j++) {
                    assertArrayEquals(values[rows[j]], (byte[]) gathered.value(j, 0), "gathered row " + j);
                    assertArrayEquals(values[j], (byte[]) copied.value(j, 0), "copied row " + j);
                }
            }
        }
    }

    @Test
    void copyRowsNamesAMismatch() {
        try (RecordBatch source = RandomBatches.create(allocator, new Random(3), 10);
             RecordBatch target = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GatherKernel.copyRows(source, 0, 11, target, 0));
            assertEquals("cannot copy 11 rows of a batch of 10", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> GatherKernel.copyRows(source, 0, 5, target, 1));
            assertTrue(e.getMessage().startsWith("cannot copy "), e.getMessage());
        }
    }

    @Test
    void allocatesANewTargetOwnedByTheCaller() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch source = RandomBatches.create(allocator, r, r.nextInt(300))) {
                SelectionVector selection = RandomBatches.subset(r, source.rowCount());
                try (RecordBatch target = GatherKernel.gather(source, selection, allocator)) {
                    assertGathered(source, selection, target, "seed " + seed);
                }
            }
        }
    }

    @Test
    void growsTheUtf8DataBufferOnlyWhenTheSelectedBytesDoNotFit() {
        BatchSchema schema = BatchSchema.of(Column.nullable("s", ColumnType.UTF8));
        String big = "\u65E5\u672C".repeat(5000);
        try (RecordBatch shortStrings = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {"a"},
                new Object[] {null}, new Object[] {"bc"});
             RecordBatch longStrings = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {big},
                new Object[] {""}, new Object[] {big + "!"});
             RecordBatch target = RecordBatch.allocate(schema, allocator, 4)) {
            SelectionVector all = new SelectionVector(3);
            all.selectAll(3);
            GatherKernel.gather(shortStrings, all, target);
            long data = target.utf8(0).getDataBufferAddress();
            long offsets = target.utf8(0).getOffsetBufferAddress();
            GatherKernel.gather(shortStrings, all, target);
            assertEquals(data, target.utf8(0).getDataBufferAddress(), "same bytes: data buffer reused");
            GatherKernel.gather(longStrings, all, target);
            assertTrue(target.utf8(0).getDataBuffer().capacity() >= 60001, "data buffer grown to the 60001 bytes selected");
            assertEquals(offsets, target.utf8(0).getOffsetBufferAddress(), "offsets still fit: reused");
            assertGathered(longStrings, all, target, "long strings");
            long grown = target.utf8(0).getDataBufferAddress();
            GatherKernel.gather(shortStrings, all, target);
            assertEquals(grown, target.utf8(0).getDataBufferAddress(), "never shrinks");
            assertGathered(shortStrings, all, target, "short strings again");
        }
    }

    @Test
    void reusesFixedWidthBuffersOnceTheyAreLargeEnough() {
        try (RecordBatch large = RandomBatches.create(allocator, new Random(1), 2000);
             RecordBatch small = RandomBatches.create(allocator, new Random(2), 100);
             RecordBatch target = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 1)) {
            SelectionVector all = new SelectionVector(1);
            all.selectAll(2000);
            GatherKernel.gather(large, all, target);
            long[] addresses = new long[target.columnCount()];
            for (int c = 0; c < addresses.length; c++) {
                addresses[c] = target.vector(c).getDataBufferAddress();
            }
            all.selectAll(100);
            GatherKernel.gather(small, all, target);
            assertGathered(small, all, target, "smaller batch");
            for (int c = 0; c < addresses.length; c++) {
                assertEquals(addresses[c], target.vector(c).getDataBufferAddress(), target.schema().describe(c));
            }
        }
    }

    @Test
    void gathersNothingFromAnEmptySelection() {
        try (RecordBatch source = RandomBatches.create(allocator, new Random(1), 20);
             RecordBatch empty = RandomBatches.create(allocator, new Random(2), 0);
             RecordBatch target = GatherKernel.gather(source, RandomBatches.subset(new Random(3), 20), allocator)) {
            SelectionVector none = new SelectionVector(1);
            GatherKernel.gather(source, none, target);
            assertEquals(0, target.rowCount());
            GatherKernel.gather(empty, none, target);
            assertEquals(0, target.rowCount());
            try (RecordBatch fresh = GatherKernel.gather(empty, none, allocator)) {
                assertEquals(0, fresh.rowCount());
            }
        }
    }

    @Test
    void rejectsATargetOfAnotherSchema() {
        BatchSchema ints = BatchSchema.of(Column.of("x", ColumnType.INT64));
        BatchSchema nullableInts = BatchSchema.of(Column.nullable("x", ColumnType.INT64));
        try (RecordBatch source = RecordBatchBuilder.fromRows(ints, allocator, new Object[] {1L});
             RecordBatch other = RecordBatch.allocate(nullableInts, allocator, 1)) {
            SelectionVector all = new SelectionVector(1);
            all.selectAll(1);
            assertEquals("cannot gather rows of (x: int64) into a batch of (x: int64); the target needs the same "
                    + "fields, types and nullability", assertThrows(IllegalArgumentException.class,
                        () -> GatherKernel.gather(source, all, other)).getMessage());
            assertEquals("cannot gather a batch into itself; pass another target batch",
                    assertThrows(IllegalArgumentException.class,
                        () -> GatherKernel.gather(source, all, source)).getMessage());
        }
    }

    @Test
    void rejectsSelectedRowsOutsideTheSourceBeforeWritingAnything() {
        try (RecordBatch source = RandomBatches.create(allocator, new Random(1), 5);
             RecordBatch target = RandomBatches.create(allocator, new Random(2), 3)) {
            SelectionVector s = new SelectionVector(2);
            s.rows()[0] = 1;
            s.rows()[1] = 9;
            s.setSize(2);
            assertEquals("selection position 1 names row 9, outside the batch's 5 rows",
                    assertThrows(IllegalArgumentException.class, () -> GatherKernel.gather(source, s, allocator))
                        .getMessage());
            s.rows()[1] = -1;
            Object before = target.value(0, RandomBatches.N);
            assertEquals("selection position 1 names row -1, outside the batch's 5 rows",
                    assertThrows(IllegalArgumentException.class, () -> GatherKernel.gather(source, s, target))
                        .getMessage());
            assertEquals(3, target.rowCount());
            assertEquals(before, target.value(0, RandomBatches.N), "target untouched");
        }
    }

    /** Any rows in any order, repeats included: gather copies in selection order, whatever it is. */
    private static SelectionVector anyOrder(Random r, int rows) {
        int n = rows == 0 ? 0 : r.nextInt(2 * rows);
        SelectionVector s = new SelectionVector(n);
        for (int j = 0; j < n; j++) {
            s.rows()[j] = r.nextInt(rows);
        }
        s.setSize(n);
        return s;
    }

    private static void assertGathered(RecordBatch source, SelectionVector selection, RecordBatch target, String where) {
        assertEquals(selection.size(), target.rowCount(), where);
        assertNull(target.selection(), where + ": the target's rows are all selected");
        for (int j = 0; j < selection.size(); j++) {
            for (int c = 0; c < source.columnCount(); c++) {
                assertEquals(source.value(selection.get(j), c), target.value(j, c),
                        where + ", row " + j + ", " + source.schema().describe(c));
            }
        }
        for (int c = 0; c < source.columnCount(); c++) {
            int nulls = 0;
            for (int j = 0; j < selection.size(); j++) {
                nulls += source.vector(c).isNull(selection.get(j)) ? 1 : 0;
            }
            assertEquals(nulls, target.vector(c).getNullCount(), where + ", null count of " + source.schema().describe(c));
        }
    }
}
