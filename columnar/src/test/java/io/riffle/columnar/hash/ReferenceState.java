package io.riffle.columnar.hash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A HashMap model of a table computing every aggregate kind over nullable int64 and float64 and non-null
 * int32 input: the batches it makes are fed to the table under test and to the model alike, and the model
 * can be copied at snapshot time to say what the snapshot must hold.
 */
final class ReferenceState {
    /** The key kinds that take the table down its different paths. */
    enum Keys {
        /** int64 ids: the direct index. */
        DENSE_INT64(ColumnType.INT64),
        /** int64 spread over the whole range: hashed. */
        SPARSE_INT64(ColumnType.INT64),
        DENSE_INT32(ColumnType.INT32),
        UTF8(ColumnType.UTF8),
        /** Words of 1 to 7 letters (i in base 26), as word count's: the table's short-key index serves them. */
        SHORT_UTF8(ColumnType.UTF8);

        final BatchSchema schema;

        Keys(ColumnType type) {
            schema = BatchSchema.of(Column.of("k", type), Column.nullable("v", ColumnType.INT64),
                    Column.nullable("d", ColumnType.FLOAT64), Column.of("i", ColumnType.INT32));
        }

        Object key(int i) {
            switch (this) {
                case DENSE_INT64: return (long) i;
                case SPARSE_INT64: return OffHeapHashTableTest.sparse(i);
                case DENSE_INT32: return i;
                case SHORT_UTF8: return OffHeapHashTableTest.letters(i);
                default: return OffHeapHashTableTest.word(i);
            }
        }

        GroupBySpec spec() {
            return GroupBySpec.of(schema, 0, ALL);
        }
    }

    static final Aggregate[] ALL = {Aggregate.sum("v"), Aggregate.count(), Aggregate.count("v"), Aggregate.min("v"),
        Aggregate.max("v"), Aggregate.avg("v"), Aggregate.sum("d"), Aggregate.min("d"), Aggregate.max("d"),
        Aggregate.avg("d"), Aggregate.sum("i"), Aggregate.min("i"), Aggregate.max("i")};

    /** One group's aggregates, updated as the table updates them (same order, so float sums agree exactly). */
    static final class Group {
        long rows;
        long sumV;
        long countV;
        long minV = Long.MAX_VALUE;
        long maxV = Long.MIN_VALUE;
        double sumD;
        long countD;
        double minD = Double.POSITIVE_INFINITY;
        double maxD = Double.NEGATIVE_INFINITY;
        long sumI;
        int minI = Integer.MAX_VALUE;
        int maxI = Integer.MIN_VALUE;

        void add(Long v, Double d, int i) {
            rows++;
            if (v != null) {
                sumV += v;
                countV++;
                minV = Math.min(minV, v);
                maxV = Math.max(maxV, v);
            }
            if (d != null) {
                sumD += d;
                countD++;
                minD = d < minD ? d : minD;
                maxD = d > maxD ? d : maxD;
            }
            sumI += i;
            minI = Math.min(minI, i);
            maxI = Math.max(maxI, i);
        }

        List<Object> row(Object key) {
            boolean v = countV > 0;
            boolean d = countD > 0;
            return Arrays.asList(key, v ? sumV : null, rows, countV, v ? minV : null, v ? maxV : null,
                    v ? (double) sumV / countV : null, d ? sumD : null, d ? minD : null, d ? maxD : null,
                    d ? sumD / countD : null, sumI, minI, maxI);
        }

        Group copy() {
            Group g = new Group();
            g.rows = rows;
            g.sumV = sumV;
            g.countV = countV;
            g.minV = minV;
            g.maxV = maxV;
            g.sumD = sumD;
            g.countD = countD;
            g.minD = minD;
            g.maxD = maxD;
            g.sumI = sumI;
            g.minI = minI;
            g.maxI = maxI;
            return g;
        }
    }

    final Keys keys;
    private final Map<Object, Group> groups = new HashMap<>();

    ReferenceState(Keys keys) {
        this.keys = keys;
    }

    /** The model as it is now, to go on separately. */
    ReferenceState copy() {
        ReferenceState copy = new ReferenceState(keys);
        for (Map.Entry<Object, Group> e : groups.entrySet()) {
            copy.groups.put(e.getKey(), e.getValue().copy());
        }
        return copy;
    }

    /**
     * A batch of {@code rows} rows with keys {@code key(lowKey .. lowKey + distinct - 1)}, about one value
     * in six null, already added to the model.
     */
    RecordBatch batch(BufferAllocator allocator, Random random, int rows, int lowKey, int distinct) {
        Object[][] data = new Object[rows][];
        for (int r = 0; r < rows; r++) {
            Object key = keys.key(lowKey + random.nextInt(distinct));
            Long v = random.nextInt(6) == 0 ? null : (long) random.nextInt(2_000_000) - 1_000_000;
            Double d = random.nextInt(6) == 0 ? null : random.nextGaussian() * 1000;
            data[r] = new Object[] {key, v, d, random.nextInt()};
        }
        return batchOf(allocator, data);
    }

    /**
     * A batch with one row for each of the keys {@code key(lowKey .. lowKey + count - 1)}, in that order: fed
     * to a fresh table, key {@code lowKey + g} becomes group {@code g}.
     */
    RecordBatch inOrder(BufferAllocator allocator, Random random, int lowKey, int count) {
        Object[][] data = new Object[count][];
        for (int r = 0; r < count; r++) {
            data[r] = new Object[] {keys.key(lowKey + r), (long) random.nextInt(1000), null, random.nextInt()};
        }
        return batchOf(allocator, data);
    }

    /** A batch of the given rows (key, v, d, i), added to the model. */
    RecordBatch batchOf(BufferAllocator allocator, Object[][] rows) {
        for (Object[] row : rows) {
            groups.computeIfAbsent(row[0], k -> new Group()).add((Long) row[1], (Double) row[2], (Integer) row[3]);
        }
        return RecordBatchBuilder.fromRows(keys.schema, allocator, rows);
    }

    /** Feeds {@link #batch} batches to the table and the model. */
    void feed(OffHeapHashTable table, BufferAllocator allocator, Random random, int batches, int rows, int lowKey,
              int distinct) {
        for (int b = 0; b < batches; b++) {
            try (RecordBatch batch = batch(allocator, random, rows, lowKey, distinct)) {
                table.aggregate(batch);
            }
        }
    }

    int size() {
        return groups.size();
    }

    /** Every group's result row, by key. */
    Map<Object, List<Object>> rows() {
        Map<Object, List<Object>> rows = new HashMap<>();
        for (Map.Entry<Object, Group> e : groups.entrySet()) {
            rows.put(e.getKey(), e.getValue().row(e.getKey()));
        }
        return rows;
    }

    /** Fails with the group counts and the first few groups that differ, rather than both whole maps. */
    static void assertSameRows(Map<Object, List<Object>> expected, Map<Object, List<Object>> actual, String what) {
        if (expected.equals(actual)) {
            return;
        }
        StringBuilder diff = new StringBuilder(what).append(": ").append(expected.size()).append(" groups expected, ")
                .append(actual.size()).append(" found");
        int shown = 0;
        Set<Object> keys = new HashSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (Object key : keys) {
            if (!Objects.equals(expected.get(key), actual.get(key)) && shown++ < 3) {
                diff.append("\n  key ").append(key).append(": expected ").append(expected.get(key)).append(", found ")
                        .append(actual.get(key));
            }
        }
        throw new AssertionError(diff.toString());
    }

    /** Every group's result row in {@code table}, by key. */
    static Map<Object, List<Object>> rows(OffHeapHashTable table, BufferAllocator allocator) {
        Map<Object, List<Object>> rows = new HashMap<>();
        for (int from = 0; from < table.groupCount(); from += 5000) {
            try (RecordBatch out = table.emit(from, 5000, allocator)) {
                for (int r = 0; r < out.rowCount(); r++) {
                    List<Object> row = new ArrayList<>();
                    for (int c = 0; c < out.columnCount(); c++) {
                        row.add(out.value(r, c));
                    }
                    rows.put(row.get(0), row);
                }
            }
        }
        return rows;
    }
}
