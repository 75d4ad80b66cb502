package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.connector.GeneratorSource;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.Watermark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Timestamps and watermarks: assigned from a field, carried in-band, combined over channels, idle sources. */
@Timeout(60)
class EventTimeTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("id", ColumnType.INT64),
            Column.of("time", ColumnType.TIMESTAMP_MS));

    /** Records what one subtask sees, in order: "r<timestamp>" per record, "w<watermark>" per watermark. */
    static final class Probe extends Operator {
        final Map<Integer, List<String>> seen;
        private final int field;
        private List<String> mine;

        Probe(Map<Integer, List<String>> seen, int field) {
            this.seen = seen;
            this.field = field;
        }

        @Override
        public void open(SubtaskContext context) {
            mine = seen.computeIfAbsent(context.subtask(), s -> new ArrayList<>());
        }

        @Override
        public void process(RecordBatch batch, Output out) throws Exception {
            for (int r = 0; r < batch.rowCount(); r++) {
                Object v = batch.value(r, field);
                mine.add("r" + (v instanceof Instant t ? t.toEpochMilli() : (Long) v));
            }
            out.emit(batch);
        }

        @Override
        public void processWatermark(long watermark, Output out) throws Exception {
            mine.add(watermark == Watermark.MAX ? "wMAX" : watermark == Watermark.IDLE ? "wIDLE" : "w" + watermark);
            out.emitWatermark(watermark);
        }
    }

    private static void probe(DataStream stream, int field, Map<Integer, List<String>> seen) {
        stream.oneInput("probe", stream.schema(), () -> new Probe(seen, field)).collect(new ArrayList<>());
    }

    @Test
    void boundedOutOfOrdernessMarksRecordsBehindTheBoundLate() {
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        List<Tuple> events = new ArrayList<>();
        long[] times = {10, 5, 20, 15, 14, 3, 21};
        for (int i = 0; i < times.length; i++) {
            events.add(Tuple.of((long) i, Instant.ofEpochMilli(times[i])));
        }
        Map<Integer, List<String>> seen = new ConcurrentHashMap<>();
        probe(env.fromCollection(events, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(5))),
                0, seen);
        env.execute("out-of-order");
        // The watermark is the highest time so far - 5 - 1; record i's id shows where it fell.
        assertEquals(List.of("r0", "w4", "r1", "r2", "w14", "r3", "r4", "r5", "r6", "w15", "wMAX"), seen.get(0));
    }

    /**
     * A source whose reader makes its own watermarks, as a Kafka source does per partition: one step per call to
     * {@code next()}, each a batch of records (ids, times) or none, and the watermark the reader reports after it.
     */
    private record ScriptedWatermarks(String timeField, long[][] steps, long[] watermarks) implements Source {
        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public BatchSchema schema() {
            return EVENTS;
        }

        @Override
        public String eventTimeField() {
            return timeField;
        }

        @Override
        public SourceReader createReader(TaskContext context) {
            return new SourceReader() {
                private int step = -1;
                private RecordBatch batch;

                @Override
                public RecordBatch next() {
                    close();
                    step++;
                    if (step >= steps.length || steps[step].length == 0) {
                        return null;
                    }
                    Object[][] rows = new Object[steps[step].length][];
                    for (int i = 0; i < rows.length; i++) {
                        rows[i] = new Object[] {(long) i + step * 10, Instant.ofEpochMilli(steps[step][i])};
                    }
                    batch = io.riffle.columnar.batch.RecordBatchBuilder.fromRows(EVENTS, context.allocator(), rows);
                    return batch;
                }

                @Override
                public boolean isFinished() {
                    return step >= steps.length;
                }

                @Override
                public long watermark() {
                    return step < watermarks.length ? watermarks[step] : SourceReader.NO_WATERMARK;
                }

                @Override
                public void close() {
                    if (batch != null) {
                        batch.close();
                        batch = null;
                    }
                }
            };
        }
    }

    @Test
    void aSourceThatMakesItsOwnWatermarksHasThemPassedOnAfterItsBatchesWhenTheyRiseOrTurnIdle() {
        Environment env = Environment.streaming().setParallelism(1);
        long idle = SourceReader.IDLE;
        long none = SourceReader.NO_WATERMARK;
        ScriptedWatermarks source = new ScriptedWatermarks("time",
                new long[][] {{}, {10}, {5}, {20}, {}, {}, {30}, {}},
                new long[] {none, 4, 4, 14, idle, idle, 24, 20});
        Map<Integer, List<String>> seen = new ConcurrentHashMap<>();
        DataStream events = env.fromSource(source);
        probe(events, 1, seen);
        env.execute("source-watermarks");
        // Nothing before the first watermark, w4 once, IDLE once however often the reader says it, a lower one never.
        assertEquals(List.of("r10", "w4", "r5", "r20", "w14", "wIDLE", "r30", "w24", "wMAX"), seen.get(0));
    }

    @Test
    void aWindowDownstreamOfASourceThatMakesItsOwnWatermarksUsesItsTimeField() {
        Environment env = Environment.streaming().setParallelism(1);
        ScriptedWatermarks source = new ScriptedWatermarks("time", new long[][] {{1, 2, 3}, {15}, {4}},
                new long[] {3, 14, 14});
        List<Tuple> sums = new ArrayList<>();
        env.fromSource(source).keyBy("id").window(Windows.tumbling(Duration.ofMillis(10))).count().collect(sums);
        env.execute("source-window");
        // Record 4 (id 20) comes after the watermark passed its window's end, 10: late, dropped.
        assertEquals(List.of(window(0, 0), window(1, 0), window(2, 0), window(10, 10)), sums);
    }

    /** The count of 1 of key {@code id} in the 10 ms window from {@code start}. */
    private static Tuple window(long id, long start) {
        return Tuple.of(id, Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + 10), 1L);
    }

    @Test
    void aSourceWhoseEventTimeFieldIsNotInItsSchemaIsRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Environment.streaming().fromSource(new ScriptedWatermarks("when", new long[0][], new long[0])));
        assertEquals("source 'scripted': no field named 'when': the schema has (id: int64, time: timestamp[ms])",
                e.getMessage());
    }

    @Test
    void aRecordWithoutATimestampFailsTheJobNamingIt() {
        Environment env = Environment.streaming().setParallelism(1);
        List<Tuple> events = List.of(Tuple.of(1L, Instant.ofEpochMilli(1)), Tuple.of(2L, null));
        env.fromCollection(events, BatchSchema.of(Column.of("id", ColumnType.INT64),
                        Column.nullable("time", ColumnType.TIMESTAMP_MS)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time")).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("null-time"));
        assertEquals("timestamp field 'time' is null in record (2,null): event time needs a timestamp on every record",
                e.getCause().getMessage());
    }

    @Test
    void aTimestampFieldMustHoldTimes() {
        Environment env = Environment.streaming();
        DataStream words = env.fromElements(Tuple.of("a", 1L));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> words.assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("f0")));
        assertEquals("timestamp field 'f0' is utf8: event time needs a timestamp[ms] or int64 (epoch milliseconds) field",
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> words.assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time")));
        assertThrows(IllegalArgumentException.class,
                () -> WatermarkStrategy.boundedOutOfOrderness("f1", Duration.ofMillis(-1)));
    }

    /**
     * Two sources with rising timestamps, 0..9999 and 10000..19999, each with its own watermarks, unioned
     * and rebalanced to two consumers: each consumer's watermark is the lowest over its channels, so it
     * rises only, never passes a record still to come on any channel, and ends at MAX after the last record.
     */
    @Test
    void watermarksTravelInBandAndTakeTheMinimumOverChannels() {
        for (int round = 0; round < 20; round++) {
            Environment env = Environment.streaming().setParallelism(2).setBatchSize(64).setChannelCapacity(4);
            Map<Integer, List<String>> seen = new ConcurrentHashMap<>();
            WatermarkStrategy strategy = WatermarkStrategy.monotonousTimestamps("timestamp");
            DataStream early = env.generate(10_000, 10).setParallelism(1).assignTimestampsAndWatermarks(strategy);
            DataStream late = env.generate(10_000, 10).setParallelism(1)
                    .map(r -> Tuple.of(r.getLong(0), r.getLong(1), ((Instant) r.field(2)).plusMillis(10_000)))
                    .assignTimestampsAndWatermarks(strategy);
            probe(early.union(late).rebalance(), 2, seen);
            env.execute("in-band");
            assertEquals(2, seen.size());
            for (List<String> events : seen.values()) {
                long watermark = Long.MIN_VALUE;
                int watermarks = 0;
                for (String e : events.subList(0, events.size() - 1)) {
                    if (e.startsWith("w")) {
                        long w = Long.parseLong(e.substring(1));
                        assertTrue(w > watermark, "round " + round + ": watermark " + w + " after " + watermark);
                        watermark = w;
                        watermarks++;
                    } else {
                        long time = Long.parseLong(e.substring(1));
                        assertTrue(time > watermark, "round " + round + ": record at " + time + " after watermark "
                                + watermark + " (the slower channel must hold the watermark back)");
                    }
                }
                assertEquals("wMAX", events.get(events.size() - 1));
                assertTrue(watermarks > 0, "round " + round + ": no watermark before the end");
            }
        }
    }

    /** A source that sends one record at time 0 and then nothing until released; it never ends by itself. */
    static final class QuietSource implements Source {
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "quiet";
        }

        @Override
        public BatchSchema schema() {
            return GeneratorSource.SCHEMA;
        }

        @Override
        public int maxParallelism() {
            return 1;
        }

        @Override
        public SourceReader createReader(TaskContext context) {
            return new SourceReader() {
                private boolean sent;
                private RecordBatch batch;

                @Override
                public RecordBatch next() {
                    if (!sent) {
                        sent = true;
                        batch = RecordBatch.allocate(GeneratorSource.SCHEMA, context.allocator(), 1);
                        batch.int64(0).set(0, 7);
                        batch.int64(1).set(0, 7);
                        batch.timestampMs(2).set(0, 0);
                        batch.setRowCount(1);
                        return batch;
                    }
                    return null;
                }

                @Override
                public boolean isFinished() {
                    return release.getCount() == 0;
                }

                @Override
                public void close() {
                    if (batch != null) {
                        batch.close();
                    }
                }
            };
        }
    }

    /** With an idle timeout, a silent source stops holding back the event time of what it feeds. */
    @Test
    void anIdleSourceStopsHoldingBackTheWatermark() throws Exception {
        Environment env = Environment.streaming().setParallelism(1);
        QuietSource quiet = new QuietSource();
        WatermarkStrategy strategy = WatermarkStrategy.monotonousTimestamps("timestamp").withIdleness(Duration.ofMillis(20));
        CountDownLatch advanced = new CountDownLatch(1);
        DataStream steady = env.generate(Long.MAX_VALUE, 10, 50_000).assignTimestampsAndWatermarks(strategy);
        DataStream silent = env.fromSource(quiet).assignTimestampsAndWatermarks(strategy);
        DataStream both = silent.union(steady);
        both.oneInput("probe", both.schema(), () -> new Operator() {
            @Override
            public void process(RecordBatch batch, Output out) throws Exception {
                out.emit(batch);
            }

            @Override
            public void processWatermark(long watermark, Output out) throws Exception {
                if (watermark >= 2_000 && watermark != Watermark.MAX) {
                    advanced.countDown();
                }
                out.emitWatermark(watermark);
            }
        }).collect(new ArrayList<>());
        JobHandle job = env.executeAsync("idle");
        try {
            // However long a loaded machine takes to call the source idle: the wait is for the watermark.
            while (!advanced.await(10, TimeUnit.MILLISECONDS)) {
                assertFalse(job.isDone(), "the job ended with the watermark behind the silent source");
            }
        } finally {
            quiet.release.countDown();
            job.cancel();
            try {
                job.await();
            } catch (JobFailedException cancelled) {
                // Cancelled: the steady source never ends.
            }
        }
    }
}
