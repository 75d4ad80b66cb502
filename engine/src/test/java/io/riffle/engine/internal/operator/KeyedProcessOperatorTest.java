package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.Collector;
import io.riffle.engine.KeyedProcessFunction;
import io.riffle.engine.Record;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.operator.harness.OneInputOperatorHarness;
import io.riffle.engine.internal.operator.harness.Rescaling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Event-time timers of a keyed process function driven alone, and their state and timers restored at another parallelism. */
class KeyedProcessOperatorTest {
    /** (key, value, time). */
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    /** (key, sum of its values since its last firing, the timer's time). */
    private static final BatchSchema FIRED = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("sum", ColumnType.INT64), Column.of("time", ColumnType.INT64));
    private static final BatchSchema STATE = BatchSchema.of(Column.of("sum", ColumnType.INT64));

    @TempDir
    Path dir;

    /** Sums each key's values and, 10 ms of event time after each record, emits and clears the sum. */
    private static final class SumUntilQuiet implements KeyedProcessFunction {
        @Override
        public void processElement(Record record, Context context, Collector out) {
            Record state = context.state();
            context.setState(Tuple.of((state == null ? 0 : state.getLong(0)) + record.getLong(1)));
            context.registerEventTimeTimer(context.timestamp() + 10);
        }

        @Override
        public void onTimer(long time, Context context, Collector out) {
            if (context.state() != null) {
                out.collect(context.currentKey(), context.state().getLong(0), time);
                context.setState(null);
            }
        }
    }

    private static OneInputOperatorHarness.Builder process() {
        return OneInputOperatorHarness.builder(() -> new KeyedProcessOperator(new SumUntilQuiet(), EVENTS, 0,
                EventTimeField.of(2), FIRED, STATE, 1L << 26), EVENTS).name("process").batchSize(16);
    }

    /** Timers fire in time order when the watermark reaches them, before the watermark goes on. */
    @Test
    void eventTimeTimersFireWhenTheWatermarkReachesThem() throws Exception {
        try (OneInputOperatorHarness h = process().open()) {
            h.process(row(1L, 1L, 0L), row(2L, 5L, 3L), row(1L, 2L, 4L));
            h.processWatermark(9);
            assertEquals(List.of("watermark 9"), h.output().events());
            h.processWatermark(12);
            h.processWatermark(20);
            h.process(row(1L, 7L, 25L));
            h.endInput();
            assertEquals(List.of("watermark 9", "(1,3,10)", "watermark 12", "(2,5,13)", "watermark 20", "(1,7,35)",
                    "watermark MAX"), h.output().events());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aCheckpointRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        Rescaling.Feed<OneInputOperatorHarness> before = h -> {
            h.process(events(0, 30));
            h.processWatermark(15);
        };
        Rescaling.Feed<OneInputOperatorHarness> after = h -> {
            h.process(events(30, 60));
            h.processWatermark(45);
        };
        List<String> uninterrupted = Rescaling.uninterrupted(process().keyedBy(0), before, after);
        // Key 0: records 0 and 20 before watermark 15 fire at 10 with both; record 40 fires with timer 30 at 45.
        assertEquals(List.of("(0,20,10)", "(0,40,30)"), uninterrupted.subList(0, 2));
        assertEquals(uninterrupted, Rescaling.rescaled(process().keyedBy(0), dir, 2, parallelism, before, after));
    }

    /** Record t of [from, to): key t mod 20, value t, time t. */
    private static Object[][] events(int from, int to) {
        List<Object[]> rows = new ArrayList<>();
        for (long t = from; t < to; t++) {
            rows.add(row(t % 20, t, t));
        }
        return rows.toArray(new Object[0][]);
    }
}
