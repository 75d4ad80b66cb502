package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OffHeapHashTable#reset}: groups start over, others keep their values, an open snapshot keeps the old ones. */
class ResetTest extends ArrowTest {
    private static final BatchSchema ROWS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("price", ColumnType.FLOAT64));
    private static final GroupBySpec SPEC = GroupBySpec.of(ROWS, 0, Aggregate.sum("value"), Aggregate.count(),
            Aggregate.min("value"), Aggregate.max("price"), Aggregate.avg("value"));

    @TempDir
    Path dir;

    private RecordBatch rows(long from, long to) {
        RecordBatchBuilder b = new RecordBatchBuilder(ROWS, allocator, (int) (to - from));
        for (long i = from; i < to; i++) {
            b.addRow(i % 10, i, i * 0.5);
        }
        return b.build();
    }

    private static List<List<Object>> contents(OffHeapHashTable table, BufferAllocator a) {
        List<List<Object>> out = new ArrayList<>();
        try (RecordBatch r = table.emit(0, table.groupCount(), a)) {
            for (int row = 0; row < r.rowCount(); row++) {
                List<Object> values = new ArrayList<>();
                for (int c = 0; c < r.columnCount(); c++) {
                    values.add(r.value(row, c));
                }
                out.add(values);
            }
        }
        out.sort((x, y) -> Long.compare((Long) x.get(0), (Long) y.get(0)));
        return out;
    }

    @Test
    void resetGroupsStartOverAndTheOthersKeepTheirValues() throws Exception {
        try (OffHeapHashTable table = new OffHeapHashTable(SPEC, allocator, 1L << 30);
             OffHeapHashTable expected = new OffHeapHashTable(SPEC, allocator, 1L << 30);
             RecordBatch first = rows(0, 100);
             RecordBatch second = rows(100, 130)) {
            table.aggregate(first);
            List<List<Object>> before = contents(table, allocator);
            TableSnapshot snapshot = table.snapshot();
            // Keys 0..9 are groups 0..9 in order of first appearance; start keys 3 and 7 over.
            table.reset(new int[] {3, 7}, 2);
            table.aggregate(second);
            try (RecordBatch kept = rows(0, 100); RecordBatch all = rows(100, 130)) {
                RecordBatchBuilder b = new RecordBatchBuilder(ROWS, allocator, 100);
                for (long i = 0; i < 100; i++) {
                    if (i % 10 != 3 && i % 10 != 7) {
                        b.addRow(i % 10, i, i * 0.5);
                    }
                }
                try (RecordBatch without = b.build()) {
                    expected.aggregate(without);
                }
                expected.aggregate(all);
            }
            assertEquals(contents(expected, allocator), contents(table, allocator));

            Path file = dir.resolve("t.state");
            snapshot.writeTo(file, 4);
            snapshot.close();
            try (OffHeapHashTable restored = OffHeapHashTable.restore(SPEC, allocator, 1L << 30, List.of(file),
                    KeyGroupRange.all(4))) {
                assertEquals(before, contents(restored, allocator), "the snapshot keeps the values before the reset");
            }
            assertThrows(IllegalArgumentException.class, () -> table.reset(new int[] {10}, 1));
        }
    }
}
