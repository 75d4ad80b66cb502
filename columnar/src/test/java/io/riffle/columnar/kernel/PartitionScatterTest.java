package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import org.junit.jupiter.api.Test;

class PartitionScatterTest extends ArrowTest {
    private static final int SEEDS = 60;

    @Test
    void sendsEveryRowToTheOwnerOfItsKeyGroupOnceKeepingRowOrder() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            // Powers of two take the mask, others the remainder; up to 4 partitions one pass each, above a sort.
            int max = switch (r.nextInt(3)) {
                case 0 -> 1 << r.nextInt(13);
                case 1 -> 1 + r.nextInt(200);
                default -> 1 + r.nextInt(KeyGroups.MAX_KEY_GROUPS);
            };
            int parallelism = 1 + r.nextInt(Math.min(max, r.nextBoolean() ? 4 : 16));
            PartitionScatter scatter = new PartitionScatter(parallelism, max);
            // Several batches through one scatter: its arrays are reused, larger and smaller.
            for (int batch = 0; batch < 4; batch++) {
                int rowCount = r.nextInt(3000);
                long[] hashes = new long[rowCount + r.nextInt(3)];
                for (int i = 0; i < hashes.length; i++) {
                    hashes[i] = r.nextLong();
                }
                SelectionVector in = RandomBatches.nullOrSubset(r, rowCount);
                scatter.assign(hashes, rowCount, in);
                String where = "seed " + seed + ", batch " + batch + ", parallelism " + parallelism + " of " + max;
                List<List<Integer>> expected = expected(hashes, RandomBatches.rowsOf(rowCount, in), max, parallelism);
                SelectionVector rows = new SelectionVector(1);
                int total = 0;
                for (int p = 0; p < parallelism; p++) {
                    scatter.selection(p, rows);
                    assertEquals(expected.get(p), RandomBatches.list(rows), where + ", partition " + p);
                    assertEquals(expected.get(p).size(), scatter.rowCount(p), where + ", partition " + p);
                    total += rows.size();
                }
                assertEquals(in == null ? rowCount : in.size(), total, where + ": every row once");
            }
        }
    }

    @Test
    void scatterGathersEachPartitionsRowsIntoItsTarget() {
        for (long seed = 1; seed <= SEEDS / 2; seed++) {
            Random r = new Random(seed);
            int parallelism = 1 + r.nextInt(8);
            PartitionScatter scatter = new PartitionScatter(parallelism, 128);
            RecordBatch[] targets = new RecordBatch[parallelism];
            try {
                for (int p = 0; p < parallelism; p++) {
                    targets[p] = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 1);
                }
                for (int batch = 0; batch < 3; batch++) {
                    try (RecordBatch source = RandomBatches.create(allocator, r, r.nextInt(1500))) {
                        long[] hashes = new long[source.rowCount()];
                        HashKernel.hash(source, new int[] {RandomBatches.S, RandomBatches.N}, hashes);
                        SelectionVector in = RandomBatches.nullOrSubset(r, source.rowCount());
                        scatter.assign(hashes, source.rowCount(), in);
                        scatter.scatter(source, targets);
                        List<List<Integer>> expected = expected(hashes, RandomBatches.rowsOf(source, in), 128,
                                parallelism);
                        for (int p = 0; p < parallelism; p++) {
                            String where = "seed " + seed + ", batch " + batch + ", partition " + p;
                            List<Integer> rows = expected.get(p);
                            assertEquals(rows.size(), targets[p].rowCount(), where);
                            for (int j = 0; j < rows.size(); j++) {
                                for (int c = 0; c < source.columnCount(); c++) {
                                    assertEquals(source.value(rows.get(j), c), targets[p].value(j, c),
                                            where + ", row " + j + ", " + source.schema().describe(c));
                                }
                            }
                        }
                    }
                }
            } finally {
                for (RecordBatch t : targets) {
                    if (t != null) {
                        t.close();
                    }
                }
            }
        }
    }

    @Test
    void anEmptyBatchLeavesEveryPartitionEmpty() {
        PartitionScatter scatter = new PartitionScatter(3, 12);
        long[] hashes = {1, 2, 3, 4, 5, 6};
        scatter.assign(hashes, 6, null);
        scatter.assign(new long[0], 0, null);
        for (int p = 0; p < 3; p++) {
            assertEquals(0, scatter.rowCount(p), "partition " + p);
        }
        scatter.assign(hashes, 6, new SelectionVector(1));
        for (int p = 0; p < 3; p++) {
            assertEquals(0, scatter.rowCount(p), "partition " + p + " with an empty selection");
        }
    }

    @Test
    void rejectsInvalidParallelism() {
        assertEquals("parallelism must be between 1 and the max parallelism (128), got 129; raise the max "
                + "parallelism or lower the parallelism", assertThrows(IllegalArgumentException.class,
                    () -> new PartitionScatter(129, 128)).getMessage());
        assertEquals("parallelism must be between 1 and the max parallelism (128), got 0",
                assertThrows(IllegalArgumentException.class, () -> new PartitionScatter(0, 128)).getMessage());
        assertEquals("max parallelism must be between 1 and 32768, got 40000",
                assertThrows(IllegalArgumentException.class, () -> new PartitionScatter(1, 40000)).getMessage());
    }

    @Test
    void rejectsHashesOrSelectionsThatDoNotFitTheRowCount() {
        PartitionScatter scatter = new PartitionScatter(2, 8);
        assertEquals("a row count of 5 needs as many hashes, but 4 were given",
                assertThrows(IllegalArgumentException.class, () -> scatter.assign(new long[4], 5, null)).getMessage());
        SelectionVector in = new SelectionVector(2);
        in.rows()[0] = 0;
        in.rows()[1] = 4;
        in.setSize(2);
        assertEquals("the selection names rows 0 to 4 but the batch has 3 rows; was it made for another batch?",
                assertThrows(IllegalArgumentException.class, () -> scatter.assign(new long[4], 3, in)).getMessage());
        assertEquals("partition 2 is outside [0, 2)",
                assertThrows(IllegalArgumentException.class, () -> scatter.rowCount(2)).getMessage());
    }

    @Test
    void rejectsTargetsThatDoNotMatchAndBatchesItWasNotAssigned() {
        BatchSchema schema = BatchSchema.of(Column.of("k", ColumnType.INT64));
        BatchSchema other = BatchSchema.of(Column.of("k", ColumnType.INT32));
        PartitionScatter scatter = new PartitionScatter(2, 8);
        try (RecordBatch source = RecordBatch.allocate(schema, allocator, 4);
             RecordBatch a = RecordBatch.allocate(schema, allocator, 1);
             RecordBatch b = RecordBatch.allocate(other, allocator, 1)) {
            source.setRowCount(4);
            assertEquals("assign the batch's hashes before scattering it", assertThrows(IllegalArgumentException.class,
                    () -> scatter.scatter(source, new RecordBatch[] {a, a})).getMessage());
            scatter.assign(new long[3], 3, null);
            assertEquals("scatter needs one target batch per partition: 2 partitions, 1 targets",
                    assertThrows(IllegalArgumentException.class,
                        () -> scatter.scatter(source, new RecordBatch[] {a})).getMessage());
            assertEquals("the batch has 4 rows but the last assign was for 3; assign this batch's hashes before "
                    + "scattering it", assertThrows(IllegalArgumentException.class,
                        () -> scatter.scatter(source, new RecordBatch[] {a, a})).getMessage());
            scatter.assign(new long[4], 4, null);
            assertEquals("target 1 has schema (k: int32); scattering needs the source's (k: int64)",
                    assertThrows(IllegalArgumentException.class,
                        () -> scatter.scatter(source, new RecordBatch[] {a, b})).getMessage());
            assertEquals(0, a.rowCount(), "nothing written before the check");
        }
    }

    /** The reference: each row's partition computed directly, rows appended in the order given. */
    private static List<List<Integer>> expected(long[] hashes, int[] rows, int max, int parallelism) {
        List<List<Integer>> expected = new ArrayList<>();
        for (int p = 0; p < parallelism; p++) {
            expected.add(new ArrayList<>());
        }
        for (int row : rows) {
            expected.get(KeyGroups.partitionOf(KeyGroups.keyGroup(hashes[row], max), max, parallelism)).add(row);
        }
        return expected;
    }
}
