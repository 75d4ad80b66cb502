package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.connector.CollectionSource;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keyed process functions: per-key state and event-time timers against a reference whatever the order and
 * parallelism, deleting timers, processing-time timers, and state and timers through failures and rescaling.
 */
@Timeout(120)
class ProcessFunctionTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final BatchSchema OUT = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("time", ColumnType.INT64), Column.of("count", ColumnType.INT64), Column.of("sum", ColumnType.INT64));
    private static final BatchSchema STATE = BatchSchema.of(Column.of("count", ColumnType.INT64),
            Column.of("sum", ColumnType.INT64));
    private static final long FINAL = Long.MAX_VALUE - 1;
    private static final long RECORDS = 40_000;
    private static final long KEYS = 11;

    @TempDir
    Path dir;

    /**
     * Counts and sums each key's values in its state; a record whose value is a multiple of {@code every} sets an
     * event-time timer {@code delay} after it, which emits (key, time, -1, -1); a timer at the end of time emits
     * the key's totals. Every output row is then fixed by the input, whatever the order records come in.
     */
    private static KeyedProcessFunction countingWithTimers(long every, long delay) {
        return new KeyedProcessFunction() {
            @Override
            public void processElement(Record record, Context context, Collector out) {
                Record state = context.state();
                long count = state == null ? 0 : state.getLong(0);
                long sum = state == null ? 0 : state.getLong(1);
                context.setState(Tuple.of(count + 1, sum + record.getLong(1)));
                if (state == null) {
                    context.registerEventTimeTimer(FINAL);
                }
                if (record.getLong(1) % every == 0) {
                    context.registerEventTimeTimer(context.timestamp() + delay);
                }
            }

            @Override
            public void onTimer(long time, Context context, Collector out) {
                if (time == FINAL) {
                    Record state = context.state();
                    out.collect(context.currentKey(), time, state.getLong(0), state.getLong(1));
                    context.setState(null);
                } else {
                    out.collect(context.currentKey(), time, -1L, -1L);
                }
            }
        };
    }

    /** The rows {@link #countingWithTimers} must emit for {@code events} (key, value, time ms). */
    private static List<Tuple> reference(List<long[]> events, long every, long delay) {
        Set<List<Long>> timers = new TreeSet<>((a, b) -> a.get(0).equals(b.get(0)) ? Long.compare(a.get(1), b.get(1))
                : Long.compare(a.get(0), b.get(0)));
        Map<Long, long[]> totals = new TreeMap<>();
        for (long[] e : events) {
            long[] t = totals.computeIfAbsent(e[0], k -> new long[2]);
            t[0]++;
            t[1] += e[1];
            if (e[1] % every == 0) {
                timers.add(List.of(e[0], e[2] + delay));
            }
        }
        List<Tuple> out = new ArrayList<>();
        for (List<Long> t : timers) {
            out.add(Tuple.of(t.get(0), t.get(1), -1L, -1L));
        }
        for (Map.Entry<Long, long[]> t : totals.entrySet()) {
            out.add(Tuple.of(t.getKey(), FINAL, t.getValue()[0], t.getValue()[1]));
        }
        return out;
    }

    private static List<long[]> events(long seed, int n, long disorder) {
        Random r = new Random(seed);
        List<long[]> out = new ArrayList<>();
        long clock = 1_000;
        for (int i = 0; i < n; i++) {
            clock += r.nextInt(4);
            out.add(new long[] {r.nextInt(9), r.nextInt(100), clock - r.nextInt((int) disorder + 1)});
        }
        return out;
    }

    private static List<Tuple> tuples(List<long[]> events) {
        List<Tuple> out = new ArrayList<>();
        for (long[] e : events) {
            out.add(Tuple.of(e[0], e[1], Instant.ofEpochMilli(e[2])));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void stateAndEventTimeTimersMatchTheReference(int p) {
        for (int seed = 0; seed < 6; seed++) {
            long every = 2 + seed;
            long delay = 5 + seed * 11;
            List<long[]> events = events(seed * 13L + p, 3_000, 40);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + seed * 29 % 100);
            List<Tuple> out = env.fromCollection(tuples(events), EVENTS)
                    .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofMillis(40)))
                    .keyBy("key").process(countingWithTimers(every, delay), OUT, STATE).executeAndCollect();
            assertEquals(sorted(reference(events, every, delay)), sorted(out), "seed " + seed + ", p " + p);
        }
    }

    /** A timer fires once the watermark reaches it, and a deleted one never: checked at parallelism 1, in order. */
    @Test
    void timersFireOnTheWatermarkAndDeletedOnesDoNot() {
        KeyedProcessFunction function = new KeyedProcessFunction() {
            @Override
            public void processElement(Record record, Context context, Collector out) {
                long time = context.timestamp();
                context.registerEventTimeTimer(time + 10);
                if (record.getLong(1) < 0) {
                    context.deleteEventTimeTimer(time + 10);
                }
                out.collect(context.currentKey(), time, context.currentWatermark(), 0L);
            }

            @Override
            public void onTimer(long time, Context context, Collector out) {
                assertTrue(context.isEventTimeTimer());
                out.collect(context.currentKey(), time, context.currentWatermark(), 1L);
            }
        };
        List<Tuple> rows = List.of(Tuple.of(1L, 1L, Instant.ofEpochMilli(100)), Tuple.of(1L, -1L, Instant.ofEpochMilli(105)),
                Tuple.of(2L, 1L, Instant.ofEpochMilli(120)), Tuple.of(1L, 1L, Instant.ofEpochMilli(130)));
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1);
        List<Tuple> out = env.fromCollection(rows, EVENTS)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("time"))
                .keyBy("key").process(function, OUT).executeAndCollect();
        // Watermarks after each record: 99, 104, 119, 129, then the end of time.
        assertEquals(List.of(Tuple.of(1L, 100L, Long.MIN_VALUE, 0L), Tuple.of(1L, 105L, 99L, 0L),
                Tuple.of(2L, 120L, 104L, 0L), Tuple.of(1L, 110L, 119L, 1L), Tuple.of(1L, 130L, 119L, 0L),
                Tuple.of(2L, 130L, Long.MAX_VALUE, 1L), Tuple.of(1L, 140L, Long.MAX_VALUE, 1L)), out);
    }

    /**
     * A restored process function goes on from the watermark it had: {@code currentWatermark()} and a timer
     * registered at or behind the watermark (which fires at the next advance, not at once) come out as in a run
     * without the failure. That run is Flink 2.2's ({@code InternalTimerServiceImpl}: {@code advanceWatermark(w)}
     * sets the watermark, then fires the timers at or before it; a timer registered at or behind it waits for
     * the next advance): the same records through a per-event generator and a {@code KeyedProcessFunction}
     * emitted exactly the rows expected here. Records (key 1) at 10, 12, 11, 14, 13, a watermark of
     * highest - 1 after each that raises it; the job fails on the fourth record after a checkpoint at the
     * third, where a Flink job would restart with no watermark.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void theWatermarkAndTheTimersAtItAreAsWithoutTheFailureAfterARestore(int p) throws Exception {
        KeyedProcessFunction function = new KeyedProcessFunction() {
            @Override
            public void processElement(Record record, Context context, Collector out) {
                context.registerEventTimeTimer(context.timestamp());
                out.collect(context.currentKey(), context.timestamp(), context.currentWatermark(), 0L);
            }

            @Override
            public void onTimer(long time, Context context, Collector out) {
                out.collect(context.currentKey(), time, context.currentWatermark(), 1L);
            }
        };
        List<Tuple> rows = new ArrayList<>();
        for (long time : new long[] {10, 12, 11, 14, 13}) {
            rows.add(Tuple.of(1L, 0L, Instant.ofEpochMilli(time)));
        }
        List<Tuple> expected = List.of(Tuple.of(1L, 10L, Long.MIN_VALUE, 0L), Tuple.of(1L, 12L, 9L, 0L),
                Tuple.of(1L, 10L, 11L, 1L), Tuple.of(1L, 11L, 11L, 0L), Tuple.of(1L, 14L, 11L, 0L),
                Tuple.of(1L, 11L, 13L, 1L), Tuple.of(1L, 12L, 13L, 1L), Tuple.of(1L, 13L, 13L, 0L),
                Tuple.of(1L, 13L, Long.MAX_VALUE, 1L), Tuple.of(1L, 14L, Long.MAX_VALUE, 1L));
        for (boolean fail : new boolean[] {false, true}) {
            AtomicBoolean armed = new AtomicBoolean();
            SourceGate gate = new SourceGate((operator, subtask, n) -> {
                if (operator.startsWith("keyBy(key).process") && armed.compareAndSet(true, false)) {
                    throw new IllegalStateException("injected failure in " + operator);
                }
            });
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1)
                    .enableCheckpointing(Duration.ZERO, dir.resolve("watermark-" + p + "-" + fail))
                    .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).injectFailures(gate);
            List<Tuple> out = new ArrayList<>();
            env.fromSource(gate.wrap(new CollectionSource("events", EVENTS, rows)))
                    .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO)
                            .perRecord())
                    .keyBy("key").process(function, OUT).collect(out);
            gate.holdAt(3);
            JobHandle job = env.executeAsync("watermark");
            gate.awaitHeld(job);
            SourceGate.checkpoint(job);
            if (fail) {
                gate.release(1);
                armed.set(true);
            }
            gate.release(0);
            assertEquals(fail ? 1 : 0, job.await().restarts());
            assertEquals(sorted(expected), sorted(out), fail ? "restored after the third record" : "no failure");
        }
    }

    /** Processing-time timers fire on the wall clock while the job runs (an endless source, cancelled after). */
    @Test
    void processingTimeTimersFireOnTheWallClock() throws Exception {
        Set<Long> fired = ConcurrentHashMap.newKeySet();
        CountDownLatch all = new CountDownLatch(5);
        KeyedProcessFunction function = new KeyedProcessFunction() {
            @Override
            public void processElement(Record record, Context context, Collector out) {
                if (context.state() == null) {
                    context.setState(Tuple.of(1L, 0L));
                    context.registerProcessingTimeTimer(context.currentProcessingTime() + 20);
                }
            }

            @Override
            public void onTimer(long time, Context context, Collector out) {
                assertTrue(!context.isEventTimeTimer() && context.currentProcessingTime() >= time);
                out.collect(context.currentKey(), time, 0L, 0L);
            }
        };
        Environment env = Environment.streaming().setParallelism(2);
        env.generate(Long.MAX_VALUE / 2, 5, 100_000).keyBy("key").process(function, OUT, STATE)
                .forEachBatch(b -> {
                    for (int r = 0; r < b.rowCount(); r++) {
                        if (fired.add((Long) b.value(r, 0))) {
                            all.countDown();
                        }
                    }
                });
        JobHandle job = env.executeAsync("processing-time");
        // However long a loaded machine takes: the wait is for the timers, not for a time.
        while (!all.await(10, TimeUnit.MILLISECONDS)) {
            assertFalse(job.isDone(), "the job ended; timers fired for keys " + fired);
        }
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), fired);
    }

    private static Environment env(int p) {
        return Environment.streaming().setParallelism(p).setBatchSize(64).setChannelCapacity(8);
    }

    /** Generator records (key i mod K, value i, time i): the rows {@link #countingWithTimers}(7, 30) emits. */
    private static List<Tuple> generatorReference() {
        List<long[]> events = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++) {
            events.add(new long[] {i % KEYS, i, i});
        }
        return reference(events, 7, 30);
    }

    private static DataStream counted(Environment env, SourceGate gate) {
        return env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").process(countingWithTimers(7, 30), OUT, STATE);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void stateAndTimersAreExactlyOnceThroughFailures(int p) throws Exception {
        for (int seed = 0; seed < 3; seed++) {
            int count = 1 + (seed + p) % 4;
            RecoveryScript script = RecoveryScript.random(seed * 17L + p, count, RECORDS / p, "keyBy(key).process");
            Environment env = script.configure(env(p), dir.resolve("p-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            counted(env, script.gate()).collect(out);
            script.run(env, "process");
            String context = "p " + p + ", " + script;
            assertEquals(sorted(generatorReference()), sorted(out), context);
        }
    }

    @Test
    void stateAndTimersFollowTheirKeysWhenRescaled() throws Exception {
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, ProcessFunctionTest::env, RECORDS / 6,
                (env, gate, out) -> counted(env, gate).collect(out));
        assertEquals(sorted(generatorReference()), sorted(all));
    }

    @Test
    void stateWithoutAStateSchemaOrOfTheWrongShapeFailsNamingTheOperator() {
        KeyedProcessFunction keepsState = (record, context, out) -> context.setState(Tuple.of(1L));
        Environment env = Environment.streaming().setParallelism(1);
        env.fromCollection(tuples(events(1, 10, 0)), EVENTS).keyBy("key").process(keepsState, OUT)
                .collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("keyBy(key).process", e.operator());
        assertTrue(e.getMessage().contains("keyBy(key).process keeps state but declared no state schema: pass one to"
                + " KeyedStream.process(function, outputSchema, stateSchema)"), e.getMessage());

        Environment env2 = Environment.streaming().setParallelism(1);
        env2.fromCollection(tuples(events(1, 10, 0)), EVENTS).keyBy("key").process(keepsState, OUT, STATE)
                .collect(new ArrayList<>());
        e = assertThrows(JobFailedException.class, env2::execute);
        assertTrue(e.getMessage().endsWith("setState was given (1), which does not fit the state schema " + STATE
                + ": it has 1 field, not " + STATE.columnCount()), e.getMessage());
    }
}
