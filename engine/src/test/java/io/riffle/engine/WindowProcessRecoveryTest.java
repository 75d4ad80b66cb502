package io.riffle.engine;

import static io.riffle.engine.WindowRecoveryTest.assertSameWindows;
import static io.riffle.engine.expr.Expr.col;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Process windows and sliding count windows keep their records in checkpoints: through the failures a
 * {@link RecoveryScript} plans and through savepoints restored at other parallelisms (2 -> 4 -> 1), every
 * window comes out once, with exactly the records of a failure-free run. Generator records i: key i mod 13,
 * value i, time i ms.
 */
@Timeout(180)
class WindowProcessRecoveryTest {
    private static final long RECORDS = 60_000;
    private static final long KEYS = 13;
    private static final BatchSchema STATS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("window_start", ColumnType.TIMESTAMP_MS), Column.of("window_end", ColumnType.TIMESTAMP_MS),
            Column.of("sum", ColumnType.INT64), Column.of("count", ColumnType.INT64), Column.of("min", ColumnType.INT64),
            Column.of("max", ColumnType.INT64));
    /** (key, start, end, sum, count, min, max) of the window's records, as {@link WindowRecoveryTest#reference} has them. */
    private static final ProcessWindowFunction STATS_OF = (key, window, records, out) -> {
        long sum = 0;
        long count = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (Record r : records) {
            sum += r.getLong(1);
            count++;
            min = Math.min(min, r.getLong(1));
            max = Math.max(max, r.getLong(1));
        }
        out.collect(key, window.startInstant(), window.endInstant(), sum, count, min, max);
    };
    private static final BatchSchema FIRST_LAST = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("first", ColumnType.INT64), Column.of("last", ColumnType.INT64), Column.of("count", ColumnType.INT64));
    /** (key, first value, last value, count): the records' order matters. */
    private static final ProcessWindowFunction FIRST_AND_LAST = (key, window, records, out) -> {
        long first = -1;
        long last = -1;
        long count = 0;
        for (Record r : records) {
            first = count == 0 ? r.getLong(1) : first;
            last = r.getLong(1);
            count++;
        }
        out.collect(key, first, last, count);
    };

    @TempDir
    Path dir;

    private static DataStream processed(Environment env, SourceGate gate, Windows windows) {
        return env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS)))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(windows).process(STATS_OF, STATS);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void processWindowsCommitExactlyTheFailureFreeWindows(int p) throws Exception {
        for (int seed = 0; seed < 2; seed++) {
            boolean sliding = seed % 2 == 1;
            Windows windows = sliding ? Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100))
                    : Windows.tumbling(Duration.ofMillis(250));
            RecoveryScript script = RecoveryScript.random(seed * 37L + p, 1 + (seed + p) % 4, RECORDS / p,
                    "keyBy(key).window");
            Environment env = script.configure(WindowRecoveryTest.env(p), dir.resolve("r-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            processed(env, script.gate(), windows).collect(out);
            script.run(env, "process-windows");
            assertSameWindows(sliding ? WindowRecoveryTest.reference(300, 100) : WindowRecoveryTest.reference(250, 250),
                    out, "p " + p + ", " + windows + ", " + script);
        }
    }

    @Test
    void rescalingAProcessWindowJobThroughSavepointsFiresEveryWindowOnce() throws Exception {
        Windows windows = Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100));
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 6,
                (env, gate, out) -> processed(env, gate, windows).collect(out));
        assertSameWindows(WindowRecoveryTest.reference(300, 100), all, "rescaled 2 -> 4 -> 1");
    }

    /** Sessions of the generator's bursts (as {@link WindowRecoveryTest#sessionReference}), with allowed lateness. */
    private static DataStream processedSessions(Environment env, SourceGate gate) {
        return WindowRecoveryTest.generated(env, gate).where(col("value").mod(100).lt(60))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(Windows.session(Duration.ofMillis(WindowRecoveryTest.SESSION_GAP)))
                .allowedLateness(Duration.ofMillis(150)).process(STATS_OF, STATS);
    }

    @Test
    void processedSessionsAreExactlyOnceThroughFailuresAndRescaling() throws Exception {
        RecoveryScript script = RecoveryScript.random(71, 3, RECORDS / 2, "keyBy(key).window");
        Environment env = script.configure(WindowRecoveryTest.env(2), dir.resolve("sessions"));
        List<Tuple> out = new ArrayList<>();
        processedSessions(env, script.gate()).collect(out);
        script.run(env, "process-sessions");
        assertSameWindows(WindowRecoveryTest.sessionReference(), out, script.toString());
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 10,
                (e, gate, o) -> processedSessions(e, gate).collect(o));
        assertSameWindows(WindowRecoveryTest.sessionReference(), all, "rescaled 2 -> 4 -> 1");
    }

    /** countWindow(7, 3): per key, at its every 3rd record, (first, last, count) of its last 7 records. */
    private static List<Tuple> slidingCountReference() {
        List<Tuple> expected = new ArrayList<>();
        for (long k = 0; k < KEYS; k++) {
            ArrayDeque<Long> last = new ArrayDeque<>();
            int n = 0;
            for (long i = k; i < RECORDS; i += KEYS) {
                last.addLast(i);
                if (last.size() > 7) {
                    last.removeFirst();
                }
                if (++n % 3 == 0) {
                    expected.add(Tuple.of(k, last.getFirst(), last.getLast(), (long) last.size()));
                }
            }
        }
        return expected;
    }

    private static DataStream slidingCounts(Environment env, SourceGate gate) {
        return env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS))).setParallelism(1).keyBy("key")
                .countWindow(7, 3).process(FIRST_AND_LAST, FIRST_LAST);
    }

    @Test
    void slidingCountWindowsAreExactlyOnceThroughFailuresAndRescaling() throws Exception {
        RecoveryScript script = RecoveryScript.random(67, 3, RECORDS, "keyBy(key).window");
        Environment env = script.configure(WindowRecoveryTest.env(2), dir.resolve("count"));
        List<Tuple> out = new ArrayList<>();
        slidingCounts(env, script.gate()).collect(out);
        script.run(env, "sliding-count");
        assertSameWindows(slidingCountReference(), out, script.toString());
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 3,
                (e, gate, o) -> slidingCounts(e, gate).collect(o));
        assertSameWindows(slidingCountReference(), all, "rescaled 2 -> 4 -> 1");
    }
}
