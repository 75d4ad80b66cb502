package io.riffle.engine.cli;

import java.io.PrintStream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The brief's generated data (record i: key = i mod K, value = i) written straight into one reused
 * Arrow batch, grouped by key off-heap with sum and count; prints the first groups.
 */
final class ColumnarDemoJob {
    static final BatchSchema SCHEMA = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("value", ColumnType.INT64));
    private static final long BUDGET_BYTES = 4L << 30;

    private ColumnarDemoJob() {
    }

    static JobSummary run(JobOptions options, PrintStream out, PrintStream err) {
        long start = System.nanoTime();
        long groups;
        try (RootAllocator allocator = new RootAllocator()) {
            GroupBySpec spec = GroupBySpec.of(SCHEMA, "key", Aggregate.sum("value"), Aggregate.count());
            try (OffHeapHashTable table = new OffHeapHashTable(spec, allocator, BUDGET_BYTES);
                 RecordBatch batch = RecordBatch.allocate(SCHEMA, allocator, options.batchSize())) {
                MemoryUtil.setMemory(batch.int64(0).getValidityBufferAddress(), (options.batchSize() + 7) / 8, (byte) 0xFF);
                MemoryUtil.setMemory(batch.int64(1).getValidityBufferAddress(), (options.batchSize() + 7) / 8, (byte) 0xFF);
                long keyData = batch.int64(0).getDataBufferAddress();
                long valueData = batch.int64(1).getDataBufferAddress();
                for (long i = 0; i < options.records(); ) {
                    int n = (int) Math.min(options.batchSize(), options.records() - i);
                    for (int r = 0; r < n; r++, i++) {
                        MemoryUtil.putLong(keyData + ((long) r << 3), i % options.keys());
                        MemoryUtil.putLong(valueData + ((long) r << 3), i);
                    }
                    batch.setRowCount(n);
                    table.aggregate(batch);
                }
                groups = table.groupCount();
                try (RecordBatch result = table.emit(0, 10, allocator)) {
                    out.print(result.format(10));
                }
            }
            if (allocator.getAllocatedMemory() != 0) {
                throw new IllegalStateException("columnar-demo leaked " + allocator.getAllocatedMemory() + " off-heap bytes");
            }
        }
        return new JobSummary("columnar-demo", options.records(), options.keys(), groups,
                (System.nanoTime() - start) / 1e9, 1);
    }
}
