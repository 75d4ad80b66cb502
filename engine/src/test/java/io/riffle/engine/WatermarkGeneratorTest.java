package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static io.riffle.engine.expr.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.Watermark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Watermarks per record and punctuated (Flink's generators that emit from {@code onEvent}): each watermark
 * right after its record whatever the batch size, a record at or below the watermark in a batch of its own,
 * and so the same late data downstream (windows with allowed lateness and a late side output) at every
 * batch size, equal to Flink's.
 */
@Timeout(60)
class WatermarkGeneratorTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.of("time", ColumnType.INT64), Column.of("kind", ColumnType.UTF8),
            Column.nullable("mark", ColumnType.INT64));
    /** 0 stands for the environment's default batch size. */
    private static final int DEFAULT = 0;

    /**
     * What the operator after the assigner sees, in order: {@code [t1 t2]} per batch (by time), {@code w<n>}
     * per watermark. Parallelism 1, so one list.
     */
    private static final class Probe extends Operator {
        private final List<String> seen;

        Probe(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public void process(RecordBatch batch, Output out) throws Exception {
            StringBuilder rows = new StringBuilder("[");
            for (int r = 0; r < batch.rowCount(); r++) {
                rows.append(r == 0 ? "" : " ").append(batch.value(r, 1));
            }
            seen.add(rows.append(']').toString());
            out.emit(batch);
        }

        @Override
        public void processWatermark(long watermark, Output out) throws Exception {
            seen.add(watermark == Watermark.MAX ? "wMAX" : "w" + watermark);
            out.emitWatermark(watermark);
        }
    }

    private static List<Tuple> events(long... times) {
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < times.length; i++) {
            rows.add(Tuple.of((long) i, times[i], "data", null));
        }
        return rows;
    }

    private static Environment env(int p, int batchSize) {
        Environment env = Environment.streaming().setParallelism(p);
        return batchSize == DEFAULT ? env : env.setBatchSize(batchSize);
    }

    private static List<String> seen(List<Tuple> rows, WatermarkStrategy strategy, int batchSize) {
        Environment env = env(1, batchSize);
        DataStream assigned = env.fromCollection(rows, EVENTS).assignTimestampsAndWatermarks(strategy);
        List<String> seen = new ArrayList<>();
        assigned.oneInput("probe", EVENTS, () -> new Probe(seen)).collect(new ArrayList<>());
        env.execute("watermarks");
        return seen;
    }

    /** The records and watermarks in order, batch boundaries left out. */
    private static List<String> flat(List<String> seen) {
        List<String> flat = new ArrayList<>();
        for (String s : seen) {
            if (s.startsWith("[")) {
                for (String t : s.substring(1, s.length() - 1).split(" ")) {
                    flat.add("r" + t);
                }
            } else {
                flat.add(s);
            }
        }
        return flat;
    }

    /**
     * Out of orderness 2: 10 raises the watermark to 7, 8 does not and is on time, 12 raises it to 9, 11 is on
     * time, 3 is behind it (alone), 13 raises it to 10, 13 again does nothing, 9 is behind (alone).
     */
    private static final List<Tuple> MIXED = events(10, 8, 12, 11, 3, 13, 13, 9);

    @Test
    void perRecordWatermarksFollowEachRecordThatRaisesThemWhateverTheBatchSize() {
        WatermarkStrategy strategy = WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(2)).perRecord();
        assertEquals(List.of("[10]", "w7", "[8 12]", "w9", "[11]", "[3]", "[13]", "w10", "[13]", "[9]", "wMAX"),
                seen(MIXED, strategy, DEFAULT));
        List<String> records = List.of("r10", "w7", "r8", "r12", "w9", "r11", "r3", "r13", "w10", "r13", "r9", "wMAX");
        for (int batchSize : new int[] {1, 2, 3, 7}) {
            assertEquals(records, flat(seen(MIXED, strategy, batchSize)), "batch size " + batchSize);
        }
        // Per batch (the default), a watermark follows the batch: which records it overtakes depends on the size.
        WatermarkStrategy perBatch = WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(2));
        assertEquals(List.of("[10 8 12]", "w9", "[11 3 13]", "w10", "[13 9]", "wMAX"), seen(MIXED, perBatch, 3));
    }

    @Test
    void punctuatedByAPredicateEmitsOnlyAfterTheMarkedRecords() {
        List<Tuple> rows = new ArrayList<>(events(10, 20, 15, 30, 5, 40));
        rows.set(2, Tuple.of(2L, 15L, "tick", null));
        rows.set(4, Tuple.of(4L, 5L, "tick", null));
        WatermarkStrategy strategy = WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO)
                .punctuatedBy(col("kind").eq("tick"));
        // After 15 (marked): the highest so far, 20, minus 1. The tick at 5 is behind that (so alone) and emits
        // the highest so far, 30, minus 1; 40 is not marked.
        assertEquals(List.of("[10 20 15]", "w19", "[30]", "[5]", "w29", "[40]", "wMAX"), seen(rows, strategy, DEFAULT));
        for (int batchSize : new int[] {1, 4}) {
            assertEquals(List.of("r10", "r20", "r15", "w19", "r30", "r5", "w29", "r40", "wMAX"),
                    flat(seen(rows, strategy, batchSize)), "batch size " + batchSize);
        }
    }

    @Test
    void punctuatedByAFieldEmitsTheWatermarksItCarries() {
        List<Tuple> rows = List.of(Tuple.of(0L, 10L, "data", null), Tuple.of(1L, 12L, "data", 8L),
                Tuple.of(2L, 9L, "data", null), Tuple.of(3L, 7L, "data", 6L), Tuple.of(4L, 20L, "data", 15L),
                Tuple.of(5L, 14L, "data", null));
        // 8 follows 12; 9 is on time; 7 is behind 8 (so alone) and carries a lower one, ignored; 15 follows 20;
        // 14 is behind it.
        WatermarkStrategy strategy = WatermarkStrategy.punctuated("time", "mark");
        assertEquals(List.of("[10 12]", "w8", "[9]", "[7]", "[20]", "w15", "[14]", "wMAX"),
                seen(rows, strategy, DEFAULT));
        assertEquals(List.of("r10", "r12", "w8", "r9", "r7", "r20", "w15", "r14", "wMAX"),
                flat(seen(rows, strategy, 1)));
    }

    // ---- late data downstream, as Flink

    private static final BatchSchema SENSORS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.INT64));

    /** (key, value, time): see {@link #lateDataDownstreamIsFlinksWhateverTheBatchSize} for what each does. */
    private static final List<Tuple> SENSOR_ROWS = List.of(Tuple.of(1L, 1L, 5_000L), Tuple.of(1L, 2L, 12_000L),
            Tuple.of(1L, 4L, 8_000L), Tuple.of(1L, 8L, 9_000L), Tuple.of(2L, 16L, 7_000L), Tuple.of(1L, 32L, 14_500L),
            Tuple.of(1L, 64L, 9_500L), Tuple.of(1L, 128L, 10_500L), Tuple.of(2L, 256L, 25_000L),
            Tuple.of(2L, 512L, 3_000L));

    private record Windowed(List<Tuple> windows, List<Tuple> late) {
    }

    private static Windowed windows(WatermarkStrategy strategy, int p, int batchSize) {
        Environment env = env(p, batchSize);
        OutputTag tooLate = new OutputTag("late");
        DataStream sums = env.fromCollection(SENSOR_ROWS, SENSORS).setParallelism(1)
                .assignTimestampsAndWatermarks(strategy)
                .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10))).allowedLateness(Duration.ofSeconds(3))
                .sideOutputLateData(tooLate).sum("value");
        List<Tuple> windows = new ArrayList<>();
        List<Tuple> late = new ArrayList<>();
        sums.collect(windows);
        sums.getSideOutput(tooLate).collect(late);
        env.execute("late data");
        return new Windowed(sorted(windows), sorted(late));
    }

    private static Tuple window(long key, long start, long sum) {
        return Tuple.of(key, Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + 10_000), sum);
    }

    /**
     * Tumbling 10 s, 1 s out of order, 3 s allowed lateness, per-record watermarks; what Flink 2.2 emits for
     * the same input with a generator that emits {@code max - 1000 - 1} from {@code onEvent}. 12 s closes
     * [0, 10 s) (sum 1); 8 s and 9 s are late updates within the lateness, each firing it again (5, then 13);
     * key 2's 7 s fires its [0, 10 s), empty when it closed (16); 14.5 s passes its lateness, so 9.5 s goes to
     * the side output; 25 s closes [10 s, 20 s) of key 1 (2 + 32 + 128); 3 s is late; the end closes key 2's
     * [20 s, 30 s).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void lateDataDownstreamIsFlinksWhateverTheBatchSize(int p) {
        Windowed flink = new Windowed(sorted(List.of(window(1, 0, 1), window(1, 0, 5), window(1, 0, 13),
                window(2, 0, 16), window(1, 10_000, 162), window(2, 20_000, 256))),
                sorted(List.of(Tuple.of(1L, 64L, 9_500L), Tuple.of(2L, 512L, 3_000L))));
        WatermarkStrategy perRecord = WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(1)).perRecord();
        for (int batchSize : new int[] {1, 7, DEFAULT}) {
            assertEquals(flink, windows(perRecord, p, batchSize), "batch size " + batchSize + ", p " + p);
        }
        // Per batch, one batch of 7: no watermark until 14.5 s has been read, so 8 s, 9 s and 9.5 s are on time.
        WatermarkStrategy perBatch = WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(1));
        assertEquals(new Windowed(sorted(List.of(window(1, 0, 77), window(2, 0, 16), window(1, 10_000, 162),
                window(2, 20_000, 256))), sorted(List.of(Tuple.of(2L, 512L, 3_000L)))), windows(perBatch, p, 7));
    }

    /** The same late data with the watermarks carried by a field: Flink's punctuated generator. */
    @Test
    void lateDataWithWatermarksFromAFieldIsTheSameAtEveryBatchSize() {
        BatchSchema marked = BatchSchema.of(Column.of("key", ColumnType.INT64), Column.of("value", ColumnType.INT64),
                Column.of("time", ColumnType.INT64), Column.nullable("watermark", ColumnType.INT64));
        List<Tuple> rows = new ArrayList<>();
        long highest = Long.MIN_VALUE;
        for (Tuple t : SENSOR_ROWS) {
            long time = (Long) t.field(2);
            Long watermark = time > highest ? time - 1_001 : null;
            highest = Math.max(highest, time);
            rows.add(Tuple.of(t.field(0), t.field(1), time, watermark));
        }
        List<Windowed> runs = new ArrayList<>();
        for (int batchSize : new int[] {1, 7, DEFAULT}) {
            Environment env = env(1, batchSize);
            OutputTag tooLate = new OutputTag("late");
            DataStream sums = env.fromCollection(rows, marked)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.punctuated("time", "watermark"))
                    .keyBy("key").window(Windows.tumbling(Duration.ofSeconds(10))).allowedLateness(Duration.ofSeconds(3))
                    .sideOutputLateData(tooLate).sum("value");
            List<Tuple> windows = new ArrayList<>();
            List<Tuple> late = new ArrayList<>();
            sums.collect(windows);
            sums.getSideOutput(tooLate).collect(late);
            env.execute("punctuated");
            runs.add(new Windowed(sorted(windows), sorted(late)));
        }
        assertEquals(sorted(List.of(window(1, 0, 1), window(1, 0, 5), window(1, 0, 13), window(2, 0, 16),
                window(1, 10_000, 162), window(2, 20_000, 256))), runs.get(0).windows());
        assertEquals(List.of(runs.get(0), runs.get(0)), runs.subList(1, 3));
    }

    @Test
    void badStrategiesSayWhatIsWrong() {
        Environment env = Environment.streaming();
        DataStream events = env.fromCollection(events(1), EVENTS);
        assertEquals("watermark field 'kind' is utf8: event time needs a timestamp[ms] or int64 (epoch milliseconds)"
                + " field", assertThrows(IllegalArgumentException.class,
                () -> events.assignTimestampsAndWatermarks(WatermarkStrategy.punctuated("time", "kind"))).getMessage());
        assertEquals("a watermark marker needs a bool predicate, but field 2 ('kind') is utf8",
                assertThrows(IllegalArgumentException.class, () -> events.assignTimestampsAndWatermarks(
                        WatermarkStrategy.monotonousTimestamps("time").punctuatedBy(col("kind")))).getMessage());
        assertEquals("perRecord(): watermarks(time, from field mark) already says when watermarks are emitted",
                assertThrows(IllegalArgumentException.class,
                        () -> WatermarkStrategy.punctuated("time", "mark").perRecord()).getMessage());
    }
}
