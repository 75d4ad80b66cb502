package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
