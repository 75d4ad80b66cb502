package io.riffle.engine.internal.operator;

import io.riffle.columnar.kernel.KeyGroupRange;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rescaled restore of reduced sliding windows whose old subtasks had fired up to different windows (and
 * kept the panes later windows still need): each key group keeps its old subtask's mark, so no window comes
 * out twice or with only some of its panes.
 */
class WindowFunctionOperatorTest extends AllocatorTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final int MAX_PARALLELISM = 8;
    private static final ReduceFunction SUM = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1), a.field(2));

    @TempDir
    Path dir;

    private static final class Collected implements Output {
        final List<String> rows = new ArrayList<>();

        @Override
        public void emit(RecordBatch batch) {
            for (int r = 0; r < batch.rowCount(); r++) {
                rows.add(batch.value(r, 0) + "," + batch.value(r, 1) + "," + batch.value(r, 3));
            }
        }

        @Override
        public void emitWatermark(long watermark) {
        }
    }

    private WindowFunctionOperator open(int subtask, int parallelism) {
        WindowFunctionOperator op = new WindowFunctionOperator(WindowFold.reducing(SUM, EVENTS, 0), EVENTS, 0, EventTimeField.of(2),
                WindowSpec.sliding(300, 100), 1L << 30, LateOutput.COUNT_ONLY);
        op.open(SubtaskContext.builder("reduce", allocator).subtask(subtask, parallelism).batchSize(64).uid(1).maxParallelism(MAX_PARALLELISM).build());
        return op;
    }

    /** Key k has value k at times 10, 110, ..., 990; windows of 300 ms every 100 ms. */
    private void feed(WindowFunctionOperator op, int subtask, int parallelism, Output out) throws Exception {
        List<Object[]> rows = new ArrayList<>();
        for (long t = 10; t < 1000; t += 100) {
            for (long k = 0; k < 40; k++) {
                int group = KeyGroups.keyGroup(HashKernel.hashLong(k), MAX_PARALLELISM);
                if (KeyGroups.partitionOf(group, MAX_PARALLELISM, parallelism) == subtask) {
                    rows.add(new Object[] {k, k, Instant.ofEpochMilli(t)});
                }
            }
        }
        try (RecordBatch batch = RecordBatchBuilder.fromRows(EVENTS, allocator, rows.toArray(new Object[0][]))) {
            op.process(batch, out);
        }
    }

    @Test
    void aRescaledRestoreEmitsOnlyWhatEachKeyGroupHadNotFired() throws Exception {
        Collected before = new Collected();
        List<Path> files = new ArrayList<>();
        long[] watermarks = {299, 599};
        for (int subtask = 0; subtask < 2; subtask++) {
            WindowFunctionOperator op = open(subtask, 2);
            try {
                feed(op, subtask, 2, before);
                op.processWatermark(watermarks[subtask], before);
                Path file = dir.resolve("state-" + subtask);
                try (OperatorSnapshot snapshot = op.snapshotState(1)) {
                    snapshot.writeTo(file);
                }
                files.add(file);
            } finally {
                op.close();
            }
        }
        WindowFunctionOperator restored = open(0, 1);
        Collected after = new Collected();
        try {
            restored.restoreState(new StateRestore(1, files, List.of(), new KeyGroupRange(MAX_PARALLELISM, 0, MAX_PARALLELISM)));
            restored.processWatermark(Long.MAX_VALUE, after);
        } finally {
            restored.close();
        }
        List<String> all = new ArrayList<>(before.rows);
        all.addAll(after.rows);
        Collections.sort(all);
        List<String> expected = new ArrayList<>();
        for (long k = 0; k < 40; k++) {
            for (long start = -200; start < 1000; start += 100) {
                long records = 0;
                for (long t = 10; t < 1000; t += 100) {
                    records += t >= start && t < start + 300 ? 1 : 0;
                }
                expected.add(k + "," + k * records + "," + Instant.ofEpochMilli(start));
            }
        }
        Collections.sort(expected);
        assertEquals(expected, all);
    }
}
