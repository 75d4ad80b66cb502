package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

/** The README's columnar example, so that it keeps compiling and printing what the README says. */
class ReadmeExampleTest {
    @Test
    void readmeExamplePrintsTheSeedBatchResult() {
        StringBuilder printed = new StringBuilder();
        BatchSchema schema = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64));
        try (BufferAllocator allocator = new RootAllocator();
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                     new Object[] {"apple", 1L}, new Object[] {"banana", 2L}, new Object[] {"apple", 3L},
                     new Object[] {"banana", 4L}, new Object[] {"apple", 5L});
             OffHeapHashTable table = new OffHeapHashTable(
                     GroupBySpec.of(schema, "word", Aggregate.sum("count")), allocator, 64L << 20)) {
            table.aggregate(batch);
            try (RecordBatch result = table.emit(0, table.groupCount(), allocator)) {
                printed.append(result.format(10));
            }
        }
        assertEquals("(apple,9)\n(banana,6)\n", printed.toString());
    }
}
