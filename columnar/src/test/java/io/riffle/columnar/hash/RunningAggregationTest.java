package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.kernel.HashKernel;
import org.apache.arrow.vector.FieldVector;
import org.junit.jupiter.api.Test;

/**
 * {@link OffHeapHashTable#accumulateRunning}: per row, the aggregate's value after that row, against a
 * row-by-row reference, with keys repeating inside batches, nulls, and every aggregate kind and type.
 */
class RunningAggregationTest extends ArrowTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("k", ColumnType.UTF8),
            Column.nullable("l", ColumnType.INT64), Column.nullable("i", ColumnType.INT32),
            Column.nullable("d", ColumnType.FLOAT64), Column.of("v", ColumnType.INT64));
    private static final Aggregate[] AGGREGATES = {Aggregate.sum("v"), Aggregate.sum("l"), Aggregate.sum("i"),
        Aggregate.sum("d"), Aggregate.count(), Aggregate.count("l"), Aggregate.min("i"), Aggregate.max("l"),
        Aggregate.min("d"), Aggregate.max("d"), Aggregate.avg("i"), Aggregate.avg("d")};

    @Test
    void runningValuesMatchARowByRowReference() {
        GroupBySpec spec = GroupBySpec.of(SCHEMA, 0, AGGREGATES);
        for (int seed = 0; seed < 20; seed++) {
            Random r = new Random(seed);
            Map<String, Object[]> state = new HashMap<>();
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 64L << 20)) {
                for (int b = 0; b < 5; b++) {
                    Object[][] rows = new Object[1 + r.nextInt(300)][];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = new Object[] {"k" + r.nextInt(1 + seed * 3), maybe(r, (long) r.nextInt(200) - 100),
                            maybe(r, r.nextInt(200) - 100), maybe(r, r.nextInt(64) / 4.0 - 8), (long) r.nextInt(1000)};
                    }
                    check(spec, table, state, rows);
                }
            }
        }
    }

    /**
     * With a column by group, each row also gets its group's value of it beside the running value, in the
     * fast loop of a non-null int64 sum and in the general one (a min over nullable input); the running values
     * are those the call without it gives.
     */
    @Test
    void writesEachRowsGroupValueBesideTheRunningValue() {
        BatchSchema byGroupSchema = BatchSchema.of(Column.of("first", ColumnType.TIMESTAMP_MS));
        for (Aggregate aggregate : new Aggregate[] {Aggregate.sum("v"), Aggregate.min("l")}) {
            GroupBySpec spec = GroupBySpec.of(SCHEMA, 0, aggregate);
            Random r = new Random(5);
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 64L << 20);
                 OffHeapHashTable plain = new OffHeapHashTable(spec, allocator, 64L << 20);
                 RecordBatch byGroup = RecordBatch.allocate(byGroupSchema, allocator, 16);
                 RecordBatch out = RecordBatch.allocate(spec.outputSchema(), allocator, 16);
                 RecordBatch plainOut = RecordBatch.allocate(spec.outputSchema(), allocator, 16);
                 RecordBatch beside = RecordBatch.allocate(byGroupSchema, allocator, 16)) {
                for (int b = 0; b < 4; b++) {
                    Object[][] rows = new Object[1 + r.nextInt(300)][];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = new Object[] {"k" + r.nextInt(40), maybe(r, (long) r.nextInt(200)), 1, 0.0,
                            (long) r.nextInt(1000)};
                    }
                    try (RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, rows)) {
                        int n = batch.rowCount();
                        long[] hashes = new long[n];
                        HashKernel.hash(batch, new int[] {0}, hashes);
                        int[] groups = new int[n];
                        table.findOrInsert(batch, hashes, groups);
                        plain.findOrInsert(batch, hashes, new int[n]);
                        byGroup.ensureCapacity(table.groupCount());
                        for (int g = 0; g < table.groupCount(); g++) {
                            byGroup.timestampMs(0).set(g, 1000L * g + 7);
                        }
                        byGroup.setRowCount(table.groupCount());
                        table.accumulateRunning(batch, groups, new FieldVector[] {out.vector(1)}, byGroup.vector(0),
                                beside.vector(0));
                        plain.accumulateRunning(batch, groups, new FieldVector[] {plainOut.vector(1)});
                        out.setRowCount(n);
                        plainOut.setRowCount(n);
                        beside.setRowCount(n);
                        for (int row = 0; row < n; row++) {
                            String where = aggregate.kind() + ", batch " + b + ", row " + row;
                            assertEquals(plainOut.value(row, 1), out.value(row, 1), where);
                            assertEquals(Instant.ofEpochMilli(1000L * groups[row] + 7), beside.value(row, 0), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aColumnByGroupMustBeEightBytesWideAndHoldEveryGroup() {
        GroupBySpec spec = GroupBySpec.of(SCHEMA, 0, Aggregate.sum("v"));
        BatchSchema ints = BatchSchema.of(Column.of("first", ColumnType.INT32));
        BatchSchema longs = BatchSchema.of(Column.of("first", ColumnType.INT64));
        try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 64L << 20);
             RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, new Object[][] {
                 {"a", 1L, 1, 0.0, 1L}, {"b", 1L, 1, 0.0, 2L}});
             RecordBatch intByGroup = RecordBatch.allocate(ints, allocator, 2);
             RecordBatch longByGroup = RecordBatch.allocate(longs, allocator, 2);
             RecordBatch out = RecordBatch.allocate(spec.outputSchema(), allocator, 2)) {
            long[] hashes = new long[2];
            HashKernel.hash(batch, new int[] {0}, hashes);
            int[] groups = new int[2];
            table.findOrInsert(batch, hashes, groups);
            FieldVector[] outs = {out.vector(1)};
            intByGroup.setRowCount(2);
            IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                    () -> table.accumulateRunning(batch, groups, outs, intByGroup.vector(0), intByGroup.vector(0)));
            assertEquals("a column by group is int64, float64 or timestamp, and the column beside the results of its"
                    + " type: got Int(32, true) and Int(32, true)", wrongType.getMessage());
            longByGroup.setRowCount(1);
            IllegalArgumentException tooFew = assertThrows(IllegalArgumentException.class,
                    () -> table.accumulateRunning(batch, groups, outs, longByGroup.vector(0), out.vector(1)));
            assertEquals("the column by group holds 1 values for 2 groups; it needs one per group", tooFew.getMessage());
        }
    }

    private static Object maybe(Random r, Object v) {
        return r.nextInt(5) == 0 ? null : v;
    }

    private void check(GroupBySpec spec, OffHeapHashTable table, Map<String, Object[]> state, Object[][] rows) {
        try (RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, rows);
             RecordBatch out = RecordBatch.allocate(spec.outputSchema(), allocator, 16)) {
            int n = batch.rowCount();
            long[] hashes = new long[n];
            int[] groups = new int[n];
            HashKernel.hash(batch, new int[] {0}, hashes);
            table.findOrInsert(batch, hashes, groups);
            FieldVector[] outs = new FieldVector[AGGREGATES.length];
            for (int a = 0; a < outs.length; a++) {
                outs[a] = out.vector(a + 1);
            }
            table.accumulateRunning(batch, groups, outs);
            out.setRowCount(n);
            for (int row = 0; row < n; row++) {
                Object[] expected = reference(state, rows[row]);
                List<Object> actual = new ArrayList<>();
                for (int a = 0; a < AGGREGATES.length; a++) {
                    actual.add(out.value(row, a + 1));
                }
                assertEquals(Arrays.asList(expected), actual, "row " + row + " " + Arrays.toString(rows[row]));
            }
        }
    }

    /** Updates the reference state with one row and returns every aggregate's value after it. */
    private static Object[] reference(Map<String, Object[]> state, Object[] row) {
        // sums/counts: v, l, i, d, rows, count(l), min(i), max(l), min(d), max(d), avg(i) sum+count, avg(d) sum+count
        Object[] s = state.computeIfAbsent((String) row[0], k -> new Object[] {0L, null, null, null, 0L, 0L, null, null,
            null, null, 0L, 0L, 0.0, 0L});
        Long l = (Long) row[1];
        Integer i = (Integer) row[2];
        Double d = (Double) row[3];
        s[0] = (Long) s[0] + (Long) row[4];
        if (l != null) {
            s[1] = s[1] == null ? l : (Long) s[1] + l;
            s[5] = (Long) s[5] + 1;
            s[7] = s[7] == null ? l : Math.max((Long) s[7], l);
        }
        if (i != null) {
            s[2] = s[2] == null ? (long) i : (Long) s[2] + i;
            s[6] = s[6] == null ? i : Math.min((Integer) s[6], i);
            s[10] = (Long) s[10] + i;
            s[11] = (Long) s[11] + 1;
        }
        if (d != null) {
            s[3] = s[3] == null ? d : (Double) s[3] + d;
            s[8] = s[8] == null ? d : Math.min((Double) s[8], d);
            s[9] = s[9] == null ? d : Math.max((Double) s[9], d);
            s[12] = (Double) s[12] + d;
            s[13] = (Long) s[13] + 1;
        }
        s[4] = (Long) s[4] + 1;
        Object avgI = (Long) s[11] == 0 ? null : (double) (Long) s[10] / (Long) s[11];
        Object avgD = (Long) s[13] == 0 ? null : (Double) s[12] / (Long) s[13];
        return new Object[] {s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], avgI, avgD};
    }
}
