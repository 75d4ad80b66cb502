package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.junit.jupiter.api.Test;

/** Kernels reuse caller-owned outputs: once they are large enough, a batch costs no heap allocation at all. */
class KernelAllocationTest extends ArrowTest {
    private static final int ROUNDS = 20_000;

    @Test
    void kernelsAllocateNothingPerBatchInSteadyState() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        byte[] apple = "apple".getBytes(StandardCharsets.UTF_8);
        int[] keys = {RandomBatches.I64, RandomBatches.S};
        try (RecordBatch batch = RandomBatches.create(allocator, new Random(7), 1024);
             RecordBatch gathered = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 16);
             BigIntVector sums = new BigIntVector("sum", allocator);
             Float8Vector scaled = new Float8Vector("scaled", allocator);
             RecordBatch part0 = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 16);
             RecordBatch part1 = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 16);
             RecordBatch part2 = RecordBatch.allocate(RandomBatches.SCHEMA, allocator, 16)) {
            long[] hashes = new long[1024];
            SelectionVector selected = new SelectionVector(1024);
            PartitionScatter scatter = new PartitionScatter(3, 128);
            RecordBatch[] parts = {part0, part1, part2};
            long checksum = 0;
            long before = 0;
            for (int i = 0; i < ROUNDS; i++) {
                if (i == ROUNDS / 2) {
                    before = threads.getThreadAllocatedBytes(me);
                }
                HashKernel.hash(batch, keys, hashes);
                checksum += CompareKernel.compare(batch, RandomBatches.I64, CompareOp.GE, 0L, null, selected);
                checksum += CompareKernel.compare(batch, RandomBatches.F64, CompareOp.LT, 1e6, selected, selected);
                checksum += CompareKernel.compareUtf8(batch, RandomBatches.S, CompareOp.NE, apple, null, selected);
                checksum += CompareKernel.compareColumns(batch, RandomBatches.N, CompareOp.LE, RandomBatches.M, null,
                        selected);
                GatherKernel.gather(batch, selected, gathered);
                ArithmeticKernel.apply(batch, RandomBatches.N, ArithmeticOp.ADD, RandomBatches.I64, sums);
                ArithmeticKernel.apply(batch, RandomBatches.F64, ArithmeticOp.MULTIPLY, 0.5, scaled);
                ArithmeticKernel.apply(batch, RandomBatches.N, ArithmeticOp.SUBTRACT, 3L, sums);
                scatter.assign(hashes, batch.rowCount(), null);
                scatter.scatter(batch, parts);
                checksum += gathered.rowCount() + part0.rowCount() + sums.getValueCount() + scaled.getValueCount();
            }
            long allocated = threads.getThreadAllocatedBytes(me) - before;
            assertTrue(allocated < 4096, (ROUNDS / 2) + " rounds of every kernel allocated " + allocated + " bytes");
            assertEquals(1024, part0.rowCount() + part1.rowCount() + part2.rowCount());
            assertTrue(checksum > 0);
        }
    }
}
