package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.junit.jupiter.api.Test;

/**
 * {@link Accumulator}s in records of the caller's own give what an {@link OffHeapHashTable} gives per group, for
 * every aggregate kind and input type, with nulls, NaNs (never a min or max), rows that go into no record, and
 * each group's rows spread over two records merged at the end.
 */
class AccumulatorTest extends ArrowTest {
    private static final BatchSchema SCHEMA = BatchSchema.of(Column.of("k", ColumnType.UTF8),
            Column.nullable("l", ColumnType.INT64), Column.nullable("i", ColumnType.INT32),
            Column.nullable("d", ColumnType.FLOAT64), Column.of("v", ColumnType.INT64),
            Column.of("e", ColumnType.FLOAT64), Column.of("t", ColumnType.TIMESTAMP_MS));
    private static final Aggregate[] AGGREGATES = {Aggregate.sum("v"), Aggregate.sum("l"), Aggregate.sum("i"),
        Aggregate.sum("d"), Aggregate.sum("e"), Aggregate.count(), Aggregate.count("l"), Aggregate.count("d"),
        Aggregate.min("i"), Aggregate.max("i"), Aggregate.min("l"), Aggregate.max("l"), Aggregate.min("d"),
        Aggregate.max("d"), Aggregate.min("e"), Aggregate.max("e"), Aggregate.min("t"), Aggregate.max("t"),
        Aggregate.avg("i"), Aggregate.avg("d"), Aggregate.avg("v")};
    private static final int KEYS = 12;
    /** Accumulators start past a header of the records' own, as a session's do. */
    private static final int HEADER = 24;
    private static final int RECORD_BYTES = HEADER + Accumulator.BYTES * AGGREGATES.length;

    @Test
    void accumulatorsInRecordsGiveWhatTheTableGivesPerGroup() {
        GroupBySpec spec = GroupBySpec.of(SCHEMA, 0, AGGREGATES);
        Accumulator[] accumulators = new Accumulator[AGGREGATES.length];
        for (int a = 0; a < accumulators.length; a++) {
            accumulators[a] = Accumulator.of(spec, a, HEADER + Accumulator.BYTES * a);
        }
        for (int seed = 0; seed < 30; seed++) {
            Random r = new Random(seed);
            // Two records per key: each row goes into one of them at random, and the second merges into the first.
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, 64L << 20);
                 ArrowBuf records = allocator.buffer(2L * KEYS * RECORD_BYTES)) {
                long base = records.memoryAddress();
                for (int record = 0; record < 2 * KEYS; record++) {
                    for (Accumulator accumulator : accumulators) {
                        accumulator.reset(base + (long) record * RECORD_BYTES);
                    }
                }
                int[] recordOfKey = new int[KEYS];
                List<String> keysByGroup = new ArrayList<>();
                for (int b = 0; b < 6; b++) {
                    Object[][] rows = rows(r, 1 + r.nextInt(200), seed);
                    List<Object[]> kept = new ArrayList<>();
                    long[] recordOf = new long[rows.length];
                    for (int i = 0; i < rows.length; i++) {
                        if (r.nextInt(8) == 0) {
                            recordOf[i] = Accumulator.NO_RECORD;
                            continue;
                        }
                        kept.add(rows[i]);
                        int key = Integer.parseInt(((String) rows[i][0]).substring(1));
                        recordOf[i] = base + (long) (2 * key + r.nextInt(2)) * RECORD_BYTES;
                    }
                    try (RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, rows)) {
                        for (Accumulator accumulator : accumulators) {
                            accumulator.accumulate(batch, recordOf, rows.length);
                        }
                    }
                    if (!kept.isEmpty()) {
                        try (RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, kept.toArray(new Object[0][]))) {
                            table.aggregate(batch);
                        }
                    }
                }
                for (int key = 0; key < KEYS; key++) {
                    for (Accumulator accumulator : accumulators) {
                        accumulator.merge(base + (long) 2 * key * RECORD_BYTES, base + (long) (2 * key + 1) * RECORD_BYTES);
                    }
                }
                try (RecordBatch expected = table.emit(0, table.groupCount(), allocator);
                     RecordBatch actual = RecordBatch.allocate(spec.outputSchema(), allocator, table.groupCount())) {
                    int groups = expected.rowCount();
                    long[] recordOfGroup = new long[groups];
                    for (int g = 0; g < groups; g++) {
                        int key = Integer.parseInt(((String) expected.value(g, 0)).substring(1));
                        recordOfGroup[g] = base + (long) 2 * key * RECORD_BYTES;
                    }
                    for (int a = 0; a < accumulators.length; a++) {
                        accumulators[a].writeResults(recordOfGroup, groups, actual.vector(a + 1));
                    }
                    actual.setRowCount(groups);
                    for (int g = 0; g < groups; g++) {
                        for (int a = 0; a < AGGREGATES.length; a++) {
                            assertEquals(expected.value(g, a + 1), actual.value(g, a + 1), "seed " + seed + ", key "
                                    + expected.value(g, 0) + ", " + spec.outputSchema().column(a + 1).name());
                        }
                    }
                }
            }
        }
    }

    /** Merging a record that saw no input (nor only nulls) leaves the other as it was, min and max included. */
    @Test
    void mergingARecordWithoutInputChangesNothing() {
        GroupBySpec spec = GroupBySpec.of(SCHEMA, 0, Aggregate.min("d"), Aggregate.max("i"), Aggregate.avg("l"));
        Accumulator[] accumulators = {Accumulator.of(spec, 0, 0), Accumulator.of(spec, 1, 16), Accumulator.of(spec, 2, 32)};
        try (ArrowBuf records = allocator.buffer(2 * 48);
             RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, new Object[][] {
                 {"a", 4L, -3, 2.5, 1L, 0.0, Instant.EPOCH}, {"a", null, null, null, 1L, 0.0, Instant.EPOCH}});
             RecordBatch out = RecordBatch.allocate(spec.outputSchema(), allocator, 2)) {
            long first = records.memoryAddress();
            long second = first + 48;
            for (Accumulator accumulator : accumulators) {
                accumulator.reset(first);
                accumulator.reset(second);
                accumulator.accumulate(batch, new long[] {first, second}, 2);
                accumulator.merge(first, second);
            }
            for (int a = 0; a < accumulators.length; a++) {
                accumulators[a].writeResults(new long[] {first, second}, 2, out.vector(a + 1));
            }
            out.setRowCount(2);
            assertEquals(List.of(2.5, -3, 4.0), List.of(out.value(0, 1), out.value(0, 2), out.value(0, 3)));
            assertEquals(3, MemoryUtil.getLong(first + 8) + MemoryUtil.getLong(first + 24) + MemoryUtil.getLong(first + 40),
                    "one non-null input per aggregate");
            assertEquals(null, out.value(1, 1), "only nulls: no min");
            assertEquals(null, out.value(1, 2), "only nulls: no max");
            assertEquals(null, out.value(1, 3), "only nulls: no mean");
        }
    }

    private static Object[][] rows(Random r, int n, int seed) {
        Object[][] rows = new Object[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new Object[] {"k" + r.nextInt(1 + seed % KEYS), maybe(r, (long) r.nextInt(200) - 100),
                maybe(r, r.nextInt(200) - 100), maybe(r, nanOr(r, r.nextInt(64) / 4.0 - 8)), (long) r.nextInt(1000),
                nanOr(r, r.nextInt(64) / 8.0 - 4), Instant.ofEpochMilli(r.nextInt(1_000_000))};
        }
        return rows;
    }

    private static Object maybe(Random r, Object v) {
        return r.nextInt(5) == 0 ? null : v;
    }

    private static double nanOr(Random r, double v) {
        return r.nextInt(7) == 0 ? Double.NaN : v;
    }
}
