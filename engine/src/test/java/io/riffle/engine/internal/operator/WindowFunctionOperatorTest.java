package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.ReduceFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.operator.harness.OneInputOperatorHarness;
import io.riffle.engine.internal.operator.harness.StateHandle;
import io.riffle.engine.internal.runtime.Watermark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rescaled restore of reduced sliding windows whose old subtasks had fired up to different windows (and
 * kept the panes later windows still need): each key group keeps its old subtask's mark, so no window comes
 * out twice or with only some of its panes.
 */
class WindowFunctionOperatorTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final ReduceFunction SUM = (a, b) -> Tuple.of(a.field(0), a.getLong(1) + b.getLong(1), a.field(2));

    @TempDir
    Path dir;

    /** Sums over windows of 300 ms every 100 ms, keyed by field 0. Output: (key, value, time, window_start, window_end). */
    private OneInputOperatorHarness.Builder reduce() {
        return OneInputOperatorHarness.builder(() -> new WindowFunctionOperator(WindowFold.reducing(SUM, EVENTS, 0),
                EVENTS, 0, EventTimeField.of(2), WindowSpec.sliding(300, 100), 1L << 30, LateOutput.COUNT_ONLY), EVENTS).name("reduce").batchSize(64)
                .maxParallelism(8).stateDirectory(dir).keyedBy(0);
    }

    @Test
    void aRescaledRestoreEmitsOnlyWhatEachKeyGroupHadNotFired() throws Exception {
        // Key k has value k at times 10, 110, ..., 990.
        List<Object[]> rows = new ArrayList<>();
        for (long t = 10; t < 1000; t += 100) {
            for (long k = 0; k < 40; k++) {
                rows.add(row(k, k, t));
            }
        }
        List<String> all = new ArrayList<>();
        List<StateHandle> checkpoint = new ArrayList<>();
        long[] watermarks = {299, 599};
        for (int subtask = 0; subtask < 2; subtask++) {
            try (OneInputOperatorHarness h = reduce().subtask(subtask, 2).open()) {
                h.process(rows.toArray(new Object[0][]));
                h.processWatermark(watermarks[subtask]);
                checkpoint.add(h.snapshot(1));
                all.addAll(keySumAndStart(h));
            }
        }
        try (OneInputOperatorHarness h = reduce().restore(checkpoint)) {
            h.processWatermark(Watermark.MAX);
            all.addAll(keySumAndStart(h));
        }
        all.sort(null);
        List<String> expected = new ArrayList<>();
        for (long k = 0; k < 40; k++) {
            for (long start = -200; start < 1000; start += 100) {
                long records = 0;
                for (long t = 10; t < 1000; t += 100) {
                    records += t >= start && t < start + 300 ? 1 : 0;
                }
                expected.add(k + "," + k * records + "," + start);
            }
        }
        expected.sort(null);
        assertEquals(expected, all);
    }

    /** Each output row as {@code key,sum,window start}. */
    private static List<String> keySumAndStart(OneInputOperatorHarness h) {
        List<String> rows = new ArrayList<>();
        for (List<Object> r : h.output().rows()) {
            rows.add(r.get(0) + "," + r.get(1) + "," + ((Instant) r.get(3)).toEpochMilli());
        }
        return rows;
    }
}
