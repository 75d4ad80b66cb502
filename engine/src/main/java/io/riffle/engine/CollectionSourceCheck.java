package io.riffle.engine;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.Row;
import org.apache.arrow.memory.RootAllocator;

/** Checks rows against a schema when the job is built, so a bad element fails {@code fromCollection}, not the job. */
final class CollectionSourceCheck {
    private CollectionSourceCheck() {
    }

    static void check(BatchSchema schema, List<? extends Row> rows) {
        try (RootAllocator allocator = new RootAllocator();
             RecordBatchBuilder builder = new RecordBatchBuilder(schema, allocator, 1)) {
            for (Row row : rows) {
                builder.addRow(row);
            }
        }
    }
}
