package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GatherAndScatterTest {
    RootAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        assertEquals(0, allocator.getAllocatedMemory(), "off-heap bytes outstanding");
        allocator.close();
    }

    @Test
    void gatherCopiesEverySelectedValueIntoAReusedTarget() {
        try (RecordBatch target = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 1)) {
            for (long seed = 1; seed <= 30; seed++) {
                Random r = new Random(seed);
                try (RecordBatch source = RandomBatches.create(allocator, r, 1 + r.nextInt(1000))) {
                    SelectionVector selection = RandomBatches.subset(r, source.rowCount());
                    GatherKernel.gather(source, selection, target);
                    assertEquals(selection.size(), target.rowCount(), "seed " + seed);
                    for (int j = 0; j < selection.size(); j++) {
                        for (int c = 0; c < source.columnCount(); c++) {
                            assertEquals(source.value(selection.get(j), c), target.value(j, c),
                                    "seed " + seed + " row " + j + " column " + c);
                        }
                    }
                }
            }
        }
    }

    @Test
    void gatherRejectsAnotherSchemaAndRowsOutsideTheBatch() {
        try (RecordBatch source = RandomBatches.create(allocator, new Random(1), 5);
             RecordBatch other = RecordBatch.allocate(io.riffle.columnar.batch.BatchSchema.of(
                     io.riffle.columnar.batch.Column.of("x", io.riffle.columnar.batch.ColumnType.INT64)), allocator, 1)) {
            SelectionVector s = new SelectionVector(2);
            s.rows()[0] = 1;
            s.rows()[1] = 9;
            s.setSize(2);
            assertEquals("selection position 1 names row 9, outside the batch's 5 rows",
                    assertThrows(IllegalArgumentException.class, () -> GatherKernel.gather(source, s, allocator)).getMessage());
            s.setSize(1);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> GatherKernel.gather(source, s, other))
                    .getMessage().startsWith("cannot gather rows of (i32: int32, i64: int64"));
        }
    }

    @Test
    void keyGroupRangesCoverEveryGroupOnceAndMatchPartitionOf() {
        int[] maxima = {1, 7, 128, 1000, 32768};
        for (int max : maxima) {
            for (int par = 1; par <= Math.min(max, 33); par++) {
                int expectedFirst = 0;
                for (int p = 0; p < par; p++) {
                    int first = KeyGroups.firstKeyGroup(p, max, par);
                    int end = KeyGroups.endKeyGroup(p, max, par);
                    assertEquals(expectedFirst, first, "max " + max + " par " + par + " partition " + p);
                    for (int g = first; g < end; g++) {
                        assertEquals(p, KeyGroups.partitionOf(g, max, par), "key group " + g);
                    }
                    expectedFirst = end;
                }
                assertEquals(max, expectedFirst, "ranges end at max parallelism");
            }
        }
        assertEquals(KeyGroups.keyGroup(-1L, 128), KeyGroups.keyGroup(Long.MAX_VALUE, 128));
        assertEquals("parallelism must be in [1, max parallelism 128]: 129", assertThrows(IllegalArgumentException.class,
                () -> new PartitionScatter(129, 128)).getMessage());
        assertEquals("max parallelism must be in [1, 32768]: 40000", assertThrows(IllegalArgumentException.class,
                () -> new PartitionScatter(1, 40000)).getMessage());
    }

    @Test
    void scatterSendsEveryRowToTheOwnerOfItsKeyGroupInOrder() {
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            int parallelism = 1 + r.nextInt(6);
            PartitionScatter scatter = new PartitionScatter(parallelism, 128);
            RecordBatch[] targets = new RecordBatch[parallelism];
            for (int p = 0; p < parallelism; p++) {
                targets[p] = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 1);
            }
            try (RecordBatch source = RandomBatches.create(allocator, r, r.nextInt(2000))) {
                long[] hashes = new long[source.rowCount()];
                HashKernel.hash(source, new int[] {RandomBatches.N}, hashes);
                SelectionVector in = r.nextBoolean() ? null : RandomBatches.subset(r, source.rowCount());
                scatter.assign(hashes, source.rowCount(), in);
                List<List<Integer>> expected = new ArrayList<>();
                for (int p = 0; p < parallelism; p++) {
                    expected.add(new ArrayList<>());
                }
                int n = in == null ? source.rowCount() : in.size();
                for (int j = 0; j < n; j++) {
                    int row = in == null ? j : in.get(j);
                    expected.get(KeyGroups.partitionOf(KeyGroups.keyGroup(hashes[row], 128), 128, parallelism)).add(row);
                }
                scatter.scatter(source, targets);
                SelectionVector s = new SelectionVector(1);
                for (int p = 0; p < parallelism; p++) {
                    scatter.selection(p, s);
                    assertEquals(expected.get(p), CompareKernelTest.rows(s), "seed " + seed + " partition " + p);
                    assertEquals(expected.get(p).size(), targets[p].rowCount());
                    for (int j = 0; j < targets[p].rowCount(); j++) {
                        assertEquals(source.value(expected.get(p).get(j), RandomBatches.S), targets[p].value(j, RandomBatches.S));
                    }
                }
            } finally {
                for (RecordBatch t : targets) {
                    t.close();
                }
            }
        }
    }
}
