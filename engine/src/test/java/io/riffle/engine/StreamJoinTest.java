package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.connector.GeneratorSource;
import io.riffle.engine.internal.operator.EventTimeField;
import io.riffle.engine.internal.operator.IntervalJoinOperator;
import io.riffle.engine.internal.operator.JoinInput;
import io.riffle.engine.internal.operator.WindowJoinOperator;
import io.riffle.engine.internal.operator.WindowSpec;
import io.riffle.engine.internal.operator.harness.OperatorHarness;
import io.riffle.engine.internal.operator.harness.StateHandle;
import io.riffle.engine.internal.operator.harness.TwoInputOperatorHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interval and window joins of two keyed streams against nested-loop references on random out-of-order
 * data (no record behind the watermark, so every pair counts), their bad input, late records and the
 * memory they let go of, and exactly-once recovery with failures and a rescale.
 */
@Timeout(120)
class StreamJoinTest {
    /** Left: event time as timestamp[ms]. */
    private static final BatchSchema LEFT = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("ts", ColumnType.TIMESTAMP_MS), Column.of("v", ColumnType.INT64));
    /** Right: event time as int64 epoch milliseconds. */
    private static final BatchSchema RIGHT = BatchSchema.of(Column.of("k", ColumnType.INT64),
            Column.of("t", ColumnType.INT64), Column.of("v", ColumnType.INT64));
    /** Keyed by field 0, event time in field 1. */
    private static final JoinInput LEFT_INPUT = new JoinInput(LEFT, 0, EventTimeField.of(1));
    /** Keyed by field 0, event time in field 1. */
    private static final JoinInput RIGHT_INPUT = new JoinInput(RIGHT, 0, EventTimeField.of(1));

    @TempDir
    Path dir;

    /** Row i has time {@code i * step + [0, disorder]}, so a watermark {@code disorder} behind the highest passes none. */
    private static List<Tuple> rows(Random random, int n, int keys, long step, long disorder, boolean instant) {
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long time = i * step + (disorder == 0 ? 0 : random.nextInt((int) disorder + 1));
            rows.add(Tuple.of((long) random.nextInt(keys), instant ? Instant.ofEpochMilli(time) : (Object) time,
                    random.nextLong(1000)));
        }
        return rows;
    }

    private static long leftTime(Tuple l) {
        return ((Instant) l.field(1)).toEpochMilli();
    }

    private static long rightTime(Tuple r) {
        return (Long) r.field(1);
    }

    private static List<Tuple> intervalReference(List<Tuple> left, List<Tuple> right, long lower, long upper) {
        List<Tuple> out = new ArrayList<>();
        for (Tuple l : left) {
            for (Tuple r : right) {
                long d = rightTime(r) - leftTime(l);
                if (l.field(0).equals(r.field(0)) && d >= lower && d <= upper) {
                    out.add(Tuple.of(l.field(0), l.field(1), l.field(2), r.field(1), r.field(2),
                            Instant.ofEpochMilli(Math.max(leftTime(l), rightTime(r)))));
                }
            }
        }
        return out;
    }

    private static List<Tuple> windowReference(List<Tuple> left, List<Tuple> right, long size, long slide) {
        List<Tuple> out = new ArrayList<>();
        for (Tuple l : left) {
            for (Tuple r : right) {
                if (!l.field(0).equals(r.field(0))) {
                    continue;
                }
                long early = Math.min(leftTime(l), rightTime(r));
                long late = Math.max(leftTime(l), rightTime(r));
                for (long s = early - Math.floorMod(early, slide); s > late - size; s -= slide) {
                    out.add(Tuple.of(l.field(0), l.field(1), l.field(2), r.field(1), r.field(2),
                            Instant.ofEpochMilli(s), Instant.ofEpochMilli(s + size)));
                }
            }
        }
        return out;
    }

    private static KeyedStream keyed(Environment env, List<Tuple> rows, BatchSchema schema, long disorder) {
        String time = schema.column(1).name();
        return env.fromCollection(rows, schema)
                .assignTimestampsAndWatermarks(WatermarkStrategy.boundedOutOfOrderness(time, Duration.ofMillis(disorder)))
                .keyBy("k");
    }

    private static long dropped(JobResult result) {
        long dropped = 0;
        for (OperatorStats o : result.operators()) {
            dropped += o.recordsDropped();
        }
        return dropped;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void intervalJoinMatchesTheReference(int p) {
        for (int seed = 0; seed < 10; seed++) {
            Random random = new Random(seed * 101L + p);
            long disorder = seed % 3 == 0 ? 0 : random.nextInt(60);
            int keys = 1 + random.nextInt(25);
            List<Tuple> left = rows(random, 300 + random.nextInt(600), keys, 1 + random.nextInt(3), disorder, true);
            List<Tuple> right = rows(random, 300 + random.nextInt(600), keys, 1 + random.nextInt(3), disorder, false);
            long a = random.nextInt(81) - 40;
            long b = random.nextInt(81) - 40;
            long lower = Math.min(a, b);
            long upper = Math.max(a, b);
            int batchSize = 1 + random.nextInt(60);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(batchSize);
            List<Tuple> out = new ArrayList<>();
            keyed(env, left, LEFT, disorder).intervalJoin(keyed(env, right, RIGHT, disorder),
                    Duration.ofMillis(lower), Duration.ofMillis(upper)).collect(out);
            JobResult result = env.execute("interval-join");
            String context = "seed " + seed + ", p " + p + ", [" + lower + ", " + upper + "], batch " + batchSize
                    + ", disorder " + disorder;
            assertEquals(sorted(intervalReference(left, right, lower, upper)), sorted(out), context);
            assertEquals(0, dropped(result), context);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void windowJoinMatchesTheReference(int p) {
        long[][] shapes = {{50, 50}, {60, 20}, {7, 7}, {100, 30}, {20, 50}};
        for (int seed = 0; seed < 10; seed++) {
            Random random = new Random(seed * 113L + p);
            long[] shape = shapes[seed % shapes.length];
            Windows windows = shape[0] == shape[1] ? Windows.tumbling(Duration.ofMillis(shape[0]))
                    : Windows.sliding(Duration.ofMillis(shape[0]), Duration.ofMillis(shape[1]));
            long disorder = seed % 3 == 0 ? 0 : random.nextInt(60);
            int keys = 1 + random.nextInt(25);
            List<Tuple> left = rows(random, 300 + random.nextInt(600), keys, 1 + random.nextInt(3), disorder, true);
            List<Tuple> right = rows(random, 300 + random.nextInt(600), keys, 1 + random.nextInt(3), disorder, false);
            int batchSize = 1 + random.nextInt(60);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(batchSize);
            List<Tuple> out = new ArrayList<>();
            keyed(env, left, LEFT, disorder).windowJoin(keyed(env, right, RIGHT, disorder), windows).collect(out);
            JobResult result = env.execute("window-join");
            String context = "seed " + seed + ", p " + p + ", " + windows + ", batch " + batchSize + ", disorder "
                    + disorder;
            assertEquals(sorted(windowReference(left, right, shape[0], shape[1])), sorted(out), context);
            assertEquals(0, dropped(result), context);
        }
    }

    /** The join's time is the result's event time: a window right after the join counts every pair. */
    @Test
    void aWindowAfterAnIntervalJoinCountsByJoinTime() {
        Random random = new Random(7);
        List<Tuple> left = rows(random, 2_000, 5, 2, 30, true);
        List<Tuple> right = rows(random, 2_000, 5, 2, 30, false);
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(17);
        DataStream joined = keyed(env, left, LEFT, 30).intervalJoin(keyed(env, right, RIGHT, 30),
                Duration.ofMillis(-5), Duration.ofMillis(5));
        assertEquals(BatchSchema.of(Column.of("k", ColumnType.INT64), Column.of("ts", ColumnType.TIMESTAMP_MS),
                Column.of("v", ColumnType.INT64), Column.of("t", ColumnType.INT64), Column.of("right_v", ColumnType.INT64),
                Column.of("join_time", ColumnType.TIMESTAMP_MS)), joined.schema());
        List<Tuple> out = new ArrayList<>();
        joined.keyBy("k").window(Windows.tumbling(Duration.ofMillis(100))).count().collect(out);
        JobResult result = env.execute("join-then-window");
        Map<List<Object>, Long> counts = new TreeMap<>((x, y) -> x.toString().compareTo(y.toString()));
        for (Tuple t : intervalReference(left, right, -5, 5)) {
            long time = ((Instant) t.field(5)).toEpochMilli();
            long start = time - Math.floorMod(time, 100);
            counts.merge(List.of(t.field(0), start), 1L, Long::sum);
        }
        List<Tuple> expected = new ArrayList<>();
        for (Map.Entry<List<Object>, Long> e : counts.entrySet()) {
            long start = (Long) e.getKey().get(1);
            expected.add(Tuple.of(e.getKey().get(0), Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + 100),
                    e.getValue()));
        }
        assertEquals(sorted(expected), sorted(out));
        assertEquals(0, dropped(result));
    }

    /** Utf8 keys join too, and a name both sides have is told apart. */
    @Test
    void utf8KeysJoin() {
        BatchSchema words = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("ts", ColumnType.INT64));
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(2);
        List<Tuple> a = List.of(Tuple.of("apple", 1L), Tuple.of("pear", 2L), Tuple.of("apple", 10L));
        List<Tuple> b = List.of(Tuple.of("apple", 2L), Tuple.of("fig", 3L), Tuple.of("pear", 30L));
        DataStream joined = env.fromCollection(a, words)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("ts")).keyBy("word")
                .intervalJoin(env.fromCollection(b, words)
                        .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("ts")).keyBy("word"),
                        Duration.ofMillis(-10), Duration.ofMillis(10));
        assertEquals(List.of(Tuple.of("apple", 1L, 2L, Instant.ofEpochMilli(2)),
                Tuple.of("apple", 10L, 2L, Instant.ofEpochMilli(10))), sorted(joined.executeAndCollect()));
    }

    @Test
    void badJoinsSayWhatIsWrongWhenTheyAreBuilt() {
        Environment env = Environment.streaming();
        KeyedStream left = keyed(env, List.of(Tuple.of(1L, Instant.ofEpochMilli(1), 1L)), LEFT, 0);
        KeyedStream right = keyed(env, List.of(Tuple.of(1L, 1L, 1L)), RIGHT, 0);
        Duration one = Duration.ofMillis(1);
        assertEquals("keyBy(k).intervalJoin(k, PT0.001S, PT-0.001S): the lower bound PT0.001S is above the upper"
                + " bound PT-0.001S", assertThrows(IllegalArgumentException.class,
                () -> left.intervalJoin(right, one, one.negated())).getMessage());
        KeyedStream noTime = env.fromCollection(List.of(Tuple.of(1L, 1L, 1L)), RIGHT).keyBy("k");
        assertEquals("keyBy(k).intervalJoin(k, PT-0.001S, PT0.001S) needs event time on both inputs, but the right one"
                + " has none: call assignTimestampsAndWatermarks(...) on it first (after any map or select that drops"
                + " the timestamp field)", assertThrows(IllegalArgumentException.class,
                () -> left.intervalJoin(noTime, one.negated(), one)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> left.windowJoin(noTime, Windows.tumbling(one))).getMessage().contains("needs event time"));
        KeyedStream words = env.fromCollection(List.of(Tuple.of("a", 1L)),
                        BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("t", ColumnType.INT64)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("t")).keyBy("word");
        assertEquals("keyBy(k).intervalJoin(word, PT0S, PT0S): keys cannot be compared: 'k' is int64, 'word' is utf8;"
                + " keys join when both are utf8 or both are integers (int32 and int64 by value, int64 and timestamp[ms]"
                + " as epoch milliseconds)", assertThrows(IllegalArgumentException.class,
                () -> left.intervalJoin(words, Duration.ZERO, Duration.ZERO)).getMessage());
        assertEquals("keyBy(k).windowJoin(k, count(3)): a window join needs event-time windows, not count windows",
                assertThrows(IllegalArgumentException.class, () -> left.windowJoin(right, Windows.count(3))).getMessage());
    }

    @Test
    void aNullKeyFailsTheJobNamingTheField() {
        BatchSchema nullableKey = BatchSchema.of(Column.nullable("k", ColumnType.INT64), Column.of("t", ColumnType.INT64),
                Column.of("v", ColumnType.INT64));
        Environment env = Environment.streaming().setParallelism(2);
        KeyedStream left = keyed(env, List.of(Tuple.of(1L, Instant.ofEpochMilli(1), 1L)), LEFT, 0);
        KeyedStream right = keyed(env, List.of(Tuple.of(1L, 1L, 1L), Tuple.of(null, 2L, 2L)), nullableKey, 0);
        left.intervalJoin(right, Duration.ZERO, Duration.ZERO).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertTrue(e.operator().startsWith("keyBy(k).intervalJoin"), e.operator());
        assertEquals("null key in field 0 ('k', int64) of the right input of an interval join; join keys must not be"
                + " null", e.getCause().getMessage());
    }

    @Test
    void aNullTimeFailsTheJobNamingTheField() {
        BatchSchema nullableTime = BatchSchema.of(Column.of("k", ColumnType.INT64), Column.nullable("ts", ColumnType.TIMESTAMP_MS),
                Column.of("v", ColumnType.INT64));
        Environment env = Environment.streaming().setParallelism(1);
        // The timestamp is assigned, then lost in a map that keeps the field.
        KeyedStream left = env.fromCollection(List.of(Tuple.of(1L, Instant.ofEpochMilli(1), 1L)), nullableTime)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("ts"))
                .map(r -> Tuple.of(r.getLong(0), null, r.getLong(2))).keyBy("k");
        KeyedStream right = keyed(env, List.of(Tuple.of(1L, 1L, 1L)), RIGHT, 0);
        left.windowJoin(right, Windows.tumbling(Duration.ofMillis(10))).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertTrue(e.operator().startsWith("keyBy(k).windowJoin"), e.operator());
        assertEquals("null event time in field 1 ('ts', timestamp[ms]) of the left input of a window join; every record"
                + " needs a timestamp", e.getCause().getMessage());
    }

    private static TwoInputOperatorHarness.Builder intervalJoin(long lower, long upper) {
        return TwoInputOperatorHarness.builder(() -> new IntervalJoinOperator(LEFT_INPUT, RIGHT_INPUT, lower, upper,
                1 << 26), LEFT, RIGHT).name("join").batchSize(64);
    }

    private static TwoInputOperatorHarness.Builder windowJoin(long size, long slide) {
        return TwoInputOperatorHarness.builder(() -> new WindowJoinOperator(LEFT_INPUT, RIGHT_INPUT,
                WindowSpec.sliding(size, slide), 1 << 26), LEFT, RIGHT).name("join").batchSize(64);
    }

    /**
     * The operator alone, a batch and a watermark at a time: a row behind the watermark is dropped and
     * counted, rows that can match nothing more are freed, and closing leaves no memory behind.
     */
    @Test
    void lateRowsAreDroppedAndRowsPastUseAreFreed() throws Exception {
        try (TwoInputOperatorHarness join = intervalJoin(-10, 10).open()) {
            long opened = join.allocator().getAllocatedMemory();
            join.processLeft(row(1L, Instant.ofEpochMilli(100), 1L), row(2L, Instant.ofEpochMilli(105), 2L));
            join.processRight(row(1L, 95L, 3L), row(2L, 120L, 4L));
            assertEquals(1, join.output().rows().size());
            assertTrue(join.allocator().getAllocatedMemory() > opened);
            join.processWatermark(200);
            assertEquals(opened, join.allocator().getAllocatedMemory(), "every row is past use at watermark 200");
            join.processLeft(row(1L, Instant.ofEpochMilli(150), 5L), row(1L, Instant.ofEpochMilli(205), 6L));
            join.processRight(row(1L, 210L, 7L));
            assertEquals(1, join.metrics().recordsDropped());
            assertEquals(List.of("(1,100,1,95,3,100)", "(1,205,6,210,7,210)"), join.output().rowStrings());
        }
    }

    /**
     * Old subtasks that fired up to different watermarks, restored into one: each key group keeps its old
     * subtask's watermark, so a sliding window one of them had fired is not emitted again for its keys.
     */
    @Test
    void aRescaledWindowJoinEmitsNoWindowTwice() throws Exception {
        long[] keys = new long[2];
        for (long k = 0, found = 0; found < 3; k++) {
            int subtask = KeyGroups.partitionOf(KeyGroups.keyGroup(HashKernel.hashLong(k), 128), 128, 2);
            if ((found & (1 << subtask)) == 0) {
                keys[subtask] = k;
                found |= 1 << subtask;
            }
        }
        long[] watermarks = {9, 19};
        List<String> out = new ArrayList<>();
        List<StateHandle> checkpoint = new ArrayList<>();
        TwoInputOperatorHarness.Builder windows = windowJoin(30, 10).stateDirectory(dir);
        for (int s = 0; s < 2; s++) {
            try (TwoInputOperatorHarness join = windows.subtask(s, 2).open()) {
                join.processLeft(row(keys[s], Instant.ofEpochMilli(5), 1L));
                join.processRight(row(keys[s], 8L, 2L));
                join.processWatermark(watermarks[s]);
                checkpoint.add(join.snapshot(1));
                out.addAll(join.output().rowStrings());
            }
        }
        try (TwoInputOperatorHarness join = windows.subtask(0, 1).restore(checkpoint)) {
            join.processWatermark(Long.MAX_VALUE);
            out.addAll(join.output().rowStrings());
        }
        List<String> expected = new ArrayList<>();
        for (long k : keys) {
            for (long start = -20; start <= 0; start += 10) {
                expected.add("(" + k + ",5,1,8,2," + start + "," + (start + 30) + ")");
            }
        }
        expected.sort(null);
        out.sort(null);
        assertEquals(expected, out);
    }

    /**
     * A checkpoint holds the rows before it only: rows after it never go into a segment it holds, even when
     * the segment made after it is freed first (its rows were older) and an older one is the newest left.
     */
    @Test
    void aCheckpointHoldsOnlyTheRowsBeforeIt() throws Exception {
        StateHandle checkpoint;
        TwoInputOperatorHarness.Builder interval = intervalJoin(0, 10).stateDirectory(dir);
        try (TwoInputOperatorHarness join = interval.open()) {
            join.processLeft(row(1L, Instant.ofEpochMilli(1000), 1L));
            try (OperatorHarness.PendingSnapshot snapshot = join.beginSnapshot(1)) {
                join.processLeft(row(1L, Instant.ofEpochMilli(10), 2L));
                join.processWatermark(500);
                join.processLeft(row(1L, Instant.ofEpochMilli(2000), 3L));
                checkpoint = snapshot.write();
            }
        }
        try (TwoInputOperatorHarness join = interval.restore(List.of(checkpoint))) {
            join.processRight(row(1L, 1005L, 4L), row(1L, 2005L, 5L));
            assertEquals(List.of("(1,1000,1,1005,4,1005)"), join.output().rowStrings());
        }
    }

    /** A state file whose rows fail their checksum is refused naming the file and the key group. */
    @Test
    void aDamagedStateFileIsRefused() throws Exception {
        TwoInputOperatorHarness.Builder interval = intervalJoin(-10, 10).stateDirectory(dir);
        StateHandle checkpoint;
        try (TwoInputOperatorHarness join = interval.open()) {
            join.processLeft(row(1L, Instant.ofEpochMilli(5), 1L));
            checkpoint = join.snapshot(1);
        }
        Path file = checkpoint.stateFiles().get(0);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 1] ^= 1;
        Files.write(file, bytes);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> interval.restore(List.of(checkpoint)));
        assertTrue(e.getMessage().startsWith(file + ": key group "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" fails its checksum"), e.getMessage());
    }

    /**
     * Sampling windows (10 ms every 25 ms): a row between windows pairs with nothing and is not kept; it counts
     * as late only when behind the watermark (right 14 at watermark 19, not left 16 before it), as Flink's window
     * operator counts a record no window took; right 8 is late because its window fired.
     */
    @Test
    void aSamplingWindowJoinPairsOnlyRowsInAWindow() throws Exception {
        try (TwoInputOperatorHarness join = windowJoin(10, 25).open()) {
            join.processLeft(row(1L, Instant.ofEpochMilli(5), 1L), row(1L, Instant.ofEpochMilli(16), 2L),
                    row(1L, Instant.ofEpochMilli(27), 3L));
            join.processRight(row(1L, 16L, 4L));
            assertEquals(0, join.metrics().recordsDropped());
            join.processWatermark(19);
            join.processRight(row(1L, 14L, 5L), row(1L, 8L, 6L), row(1L, 20L, 7L), row(1L, 30L, 8L));
            assertEquals(2, join.metrics().recordsDropped());
            join.processWatermark(Long.MAX_VALUE);
            assertEquals(List.of("(1,27,3,30,8,25,35)"), join.output().rowStrings());
        }
    }

    /** A window join drops a row whose every window has fired, and counts it; the rest still pair. */
    @Test
    void aWindowJoinDropsRowsWhoseWindowsFired() throws Exception {
        try (TwoInputOperatorHarness join = windowJoin(10, 10).open()) {
            join.processLeft(row(1L, Instant.ofEpochMilli(5), 1L), row(1L, Instant.ofEpochMilli(25), 2L));
            join.processRight(row(1L, 6L, 3L));
            join.processWatermark(19);
            assertEquals(List.of("(1,5,1,6,3,0,10)"), join.output().rowStrings());
            join.processRight(row(1L, 9L, 4L), row(1L, 20L, 5L));
            assertEquals(1, join.metrics().recordsDropped());
            join.processWatermark(Long.MAX_VALUE);
            assertEquals(List.of("(1,5,1,6,3,0,10)", "(1,25,2,20,5,20,30)"), join.output().rowStrings());
        }
    }

    // ---- exactly-once

    private static final long RECORDS = 30_000;

    /** Left record i: (i mod 13, i ms, i); right record j: (j mod 7, j ms, j); pairs in [-20, 10] ms. */
    private static List<Tuple> generatedIntervalReference() {
        List<Tuple> out = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++) {
            for (long j = Math.max(0, i - 20); j <= Math.min(RECORDS - 1, i + 10); j++) {
                if (i % 13 == j % 7) {
                    out.add(Tuple.of(i % 13, i, Instant.ofEpochMilli(i), j, Instant.ofEpochMilli(j), Instant.ofEpochMilli(Math.max(i, j))));
                }
            }
        }
        return out;
    }

    /** Pairs in the same 25 ms tumbling window. */
    private static List<Tuple> generatedWindowReference() {
        List<Tuple> out = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++) {
            long start = i - i % 25;
            for (long j = start; j < Math.min(RECORDS, start + 25); j++) {
                if (i % 13 == j % 7) {
                    out.add(Tuple.of(i % 13, i, Instant.ofEpochMilli(i), j, Instant.ofEpochMilli(j),
                            Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + 25)));
                }
            }
        }
        return out;
    }

    /** Both inputs held by {@code gate}. */
    private static DataStream generatedJoin(Environment env, SourceGate gate, boolean window) {
        KeyedStream left = env.fromSource(gate.wrap(new GeneratorSource(RECORDS, 13)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp")).keyBy("key");
        KeyedStream right = env.fromSource(gate.wrap(new GeneratorSource(RECORDS, 7)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp")).keyBy("key");
        return window ? left.windowJoin(right, Windows.tumbling(Duration.ofMillis(25)))
                : left.intervalJoin(right, Duration.ofMillis(-20), Duration.ofMillis(10));
    }

    private static Environment recoveryEnv(int p) {
        return Environment.streaming().setParallelism(p).setBatchSize(64).setChannelCapacity(8);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void joinsWithFailuresCommitExactlyTheFailureFreeOutput(int p) throws Exception {
        for (int seed = 0; seed < 4; seed++) {
            boolean window = seed % 2 == 1;
            int count = 1 + (seed + p) % 4;
            String prefix = window ? "keyBy(key).windowJoin" : "keyBy(key).intervalJoin";
            RecoveryScript script = RecoveryScript.random(seed * 23L + p, count, RECORDS / p, prefix);
            Environment env = script.configure(recoveryEnv(p), dir.resolve("j-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            generatedJoin(env, script.gate(), window).collect(out);
            script.run(env, "joins");
            String context = "p " + p + (window ? ", window join, " : ", interval join, ") + script;
            assertSameRows(window ? generatedWindowReference() : generatedIntervalReference(), out, context);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rescalingAJoinThroughSavepointsEmitsEveryPairOnce(boolean window) throws Exception {
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, StreamJoinTest::recoveryEnv, RECORDS / 8,
                (env, gate, out) -> generatedJoin(env, gate, window).collect(out));
        assertSameRows(window ? generatedWindowReference() : generatedIntervalReference(), all, "rescaled 2 -> 4 -> 1");
    }

    /** Equal as multisets; otherwise names the first rows missing and the first ones extra. */
    private static void assertSameRows(List<Tuple> expected, List<Tuple> actual, String context) {
        List<Tuple> e = sorted(expected);
        List<Tuple> a = sorted(actual);
        if (e.equals(a)) {
            return;
        }
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < e.size() || j < a.size()) {
            int cmp = i == e.size() ? 1 : j == a.size() ? -1 : e.get(i).toString().compareTo(a.get(j).toString());
            if (cmp == 0) {
                i++;
                j++;
            } else if (cmp < 0) {
                missing.add(e.get(i++).toString());
            } else {
                extra.add(a.get(j++).toString());
            }
        }
        throw new AssertionError(context + ": " + missing.size() + " rows missing, first "
                + missing.subList(0, Math.min(5, missing.size())) + "; " + extra.size() + " extra, first "
                + extra.subList(0, Math.min(5, extra.size())));
    }
}
