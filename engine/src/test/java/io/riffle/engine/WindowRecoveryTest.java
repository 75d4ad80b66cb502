package io.riffle.engine;

import static io.riffle.engine.expr.Expr.col;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.riffle.columnar.hash.Aggregate;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once windows: window contents, watermarks and what has fired are in the checkpoints, so a
 * windowed job with failures, or stopped and restored at another parallelism, emits every window once
 * with exactly the failure-free result. Checkpoints and failures fall where each test's seeded
 * {@link RecoveryScript} puts them; no timer decides.
 */
@Timeout(120)
class WindowRecoveryTest {
    private static final long RECORDS = 60_000;
    private static final long KEYS = 13;
    static final long SESSION_GAP = 20;

    @TempDir
    Path dir;

    /** Per (key, window start): sum, count, min, max of generator records i (key i mod K, value i, time i ms). */
    static List<Tuple> reference(long size, long slide) {
        Map<List<Long>, long[]> windows = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
                ? Long.compare(a.get(1), b.get(1)) : Long.compare(a.get(0), b.get(0)));
        for (long i = 0; i < RECORDS; i++) {
            long lastStart = i - Math.floorMod(i, slide);
            for (long s = lastStart; s > i - size; s -= slide) {
                long[] acc = windows.computeIfAbsent(List.of(i % KEYS, s), k -> new long[] {0, 0, Long.MAX_VALUE, 0});
                acc[0] += i;
                acc[1]++;
                acc[2] = Math.min(acc[2], i);
                acc[3] = Math.max(acc[3], i);
            }
        }
        List<Tuple> out = new ArrayList<>();
        for (Map.Entry<List<Long>, long[]> w : windows.entrySet()) {
            long start = w.getKey().get(1);
            long[] a = w.getValue();
            out.add(Tuple.of(w.getKey().get(0), Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + size),
                    a[0], a[1], a[2], a[3]));
        }
        return out;
    }

    /** Per (key, window): the generator's records reduced to (key, sum of values, latest timestamp, start, end). */
    private static List<Tuple> reducedReference(long size, long slide) {
        List<Tuple> out = new ArrayList<>();
        for (Tuple w : reference(size, slide)) {
            out.add(Tuple.of(w.field(0), w.field(3), Instant.ofEpochMilli(w.getLong(6)), w.field(1), w.field(2)));
        }
        return out;
    }

    /** The generator's records, held by {@code gate}. */
    static DataStream generated(Environment env, SourceGate gate) {
        return env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS)));
    }

    private static DataStream reducedWindows(Environment env, SourceGate gate, Windows windows) {
        return generated(env, gate)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(windows).reduce(WindowFunctionTest.SUM_AND_LATEST);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void reducedWindowsCommitExactlyTheFailureFreeWindows(int p) throws Exception {
        for (int seed = 0; seed < 3; seed++) {
            boolean sliding = seed % 2 == 1;
            Windows windows = sliding ? Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100))
                    : Windows.tumbling(Duration.ofMillis(250));
            int count = 1 + (seed + p) % 5;
            RecoveryScript script = RecoveryScript.random(seed * 31L + p, count, RECORDS / p, "keyBy(key).window");
            Environment env = script.configure(env(p), dir.resolve("r-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            reducedWindows(env, script.gate(), windows).collect(out);
            script.run(env, "reduced-windows");
            String context = "p " + p + ", " + windows + ", " + script;
            assertSameWindows(sliding ? reducedReference(300, 100) : reducedReference(250, 250), out, context);
        }
    }

    /** An aggregate function's accumulators, (key, count, sum, min) per pane, through failures and a rescale. */
    @Test
    void aggregateFunctionWindowsAreExactlyOnceThroughFailuresAndRescaling() throws Exception {
        List<Tuple> expected = new ArrayList<>();
        for (Tuple w : reference(300, 100)) {
            expected.add(Tuple.of(w.field(0), w.field(1), w.field(2), w.field(4), w.field(3), w.field(5)));
        }
        Windows windows = Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100));
        RecoveryScript script = RecoveryScript.random(41, 3, RECORDS / 2, "keyBy(key).window");
        Environment env = script.configure(env(2), dir.resolve("agg"));
        List<Tuple> out = new ArrayList<>();
        aggregated(env, script.gate(), windows).collect(out);
        script.run(env, "aggregate-function");
        assertSameWindows(expected, out, script.toString());
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 6,
                (e, gate, o) -> aggregated(e, gate, windows).collect(o));
        assertSameWindows(expected, all, "rescaled 2 -> 4 -> 1");
    }

    private static DataStream aggregated(Environment env, SourceGate gate, Windows windows) {
        return generated(env, gate)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(windows).aggregate(WindowFunctionTest.COUNT_SUM_MIN, WindowFunctionTest.ACCUMULATOR,
                        WindowFunctionTest.RESULT);
    }

    @Test
    void rescalingAReducedWindowJobThroughSavepointsEmitsEveryWindowOnce() throws Exception {
        Windows windows = Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100));
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 6,
                (env, gate, out) -> reducedWindows(env, gate, windows).collect(out));
        assertSameWindows(reducedReference(300, 100), all, "rescaled 2 -> 4 -> 1");
    }

    /**
     * Sessions of gap 20 ms over generator records i with {@code i mod 100 < 60}: each key's records of a
     * burst are 13 ms apart, bursts 40 ms apart, so every key has one session per burst.
     */
    static List<Tuple> sessionReference() {
        List<Tuple> out = new ArrayList<>();
        for (long k = 0; k < KEYS; k++) {
            long[] session = null;
            for (long i = k; i < RECORDS; i += KEYS) {
                if (i % 100 >= 60) {
                    continue;
                }
                if (session != null && i - session[1] >= SESSION_GAP) {
                    out.add(sessionRow(k, session));
                    session = null;
                }
                if (session == null) {
                    session = new long[] {i, i, 0, 0, i, i};
                }
                session[1] = i;
                session[2] += i;
                session[3]++;
                session[5] = i;
            }
            out.add(sessionRow(k, session));
        }
        return out;
    }

    private static Tuple sessionRow(long key, long[] s) {
        return Tuple.of(key, Instant.ofEpochMilli(s[0]), Instant.ofEpochMilli(s[1] + SESSION_GAP), s[2], s[3], s[4], s[5]);
    }

    /** With allowed lateness, so that checkpoints also hold fired sessions, which a restore must not emit again. */
    private static DataStream sessions(Environment env, SourceGate gate) {
        return generated(env, gate).where(col("value").mod(100).lt(60))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(Windows.session(Duration.ofMillis(SESSION_GAP))).allowedLateness(Duration.ofMillis(150))
                .aggregate(Aggregate.sum("value"), Aggregate.count(), Aggregate.min("value"), Aggregate.max("value"));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void sessionWindowsCommitExactlyTheFailureFreeSessions(int p) throws Exception {
        List<Tuple> expected = sessionReference();
        for (int seed = 0; seed < 3; seed++) {
            int count = 1 + (seed + p) % 5;
            RecoveryScript script = RecoveryScript.random(seed * 23L + p, count, RECORDS / p, "keyBy(key).window");
            Environment env = script.configure(env(p), dir.resolve("s-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            sessions(env, script.gate()).collect(out);
            script.run(env, "sessions");
            String context = "p " + p + ", " + script;
            assertSameWindows(expected, out, context);
        }
    }

    /** Sessions reduced by a user function keep each open session's fold in checkpoints. */
    @Test
    void reducedSessionsAreExactlyOnceThroughFailuresAndRescaling() throws Exception {
        List<Tuple> expected = new ArrayList<>();
        for (Tuple s : sessionReference()) {
            // (key, start, end, sum, count, min, max): reduced to (key, sum, latest time, start, end).
            expected.add(Tuple.of(s.field(0), s.field(3), Instant.ofEpochMilli(s.getLong(6)), s.field(1), s.field(2)));
        }
        RecoveryScript script = RecoveryScript.random(61, 3, RECORDS / 2, "keyBy(key).window");
        Environment env = script.configure(env(2), dir.resolve("session-reduce"));
        List<Tuple> out = new ArrayList<>();
        reducedSessions(env, script.gate()).collect(out);
        script.run(env, "session-reduce");
        assertSameWindows(expected, out, script.toString());
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 10,
                (e, gate, o) -> reducedSessions(e, gate).collect(o));
        assertSameWindows(expected, all, "rescaled 2 -> 4 -> 1");
    }

    private static DataStream reducedSessions(Environment env, SourceGate gate) {
        return generated(env, gate).where(col("value").mod(100).lt(60))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(Windows.session(Duration.ofMillis(SESSION_GAP)))
                .reduce(WindowFunctionTest.SUM_AND_LATEST);
    }

    /** Open sessions are read back by key group at the new parallelism, 2 -> 4 -> 1. */
    @Test
    void rescalingASessionJobThroughSavepointsEmitsEverySessionOnce() throws Exception {
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 10,
                (env, gate, out) -> sessions(env, gate).collect(out));
        assertSameWindows(sessionReference(), all, "rescaled 2 -> 4 -> 1");
    }

    private static DataStream windowed(Environment env, SourceGate gate, Windows windows) {
        return generated(env, gate)
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(windows)
                .aggregate(Aggregate.sum("value"), Aggregate.count(), Aggregate.min("value"), Aggregate.max("value"));
    }

    static Environment env(int p) {
        return Environment.streaming().setParallelism(p).setBatchSize(64).setChannelCapacity(8);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void windowedJobsCommitExactlyTheFailureFreeWindows(int p) throws Exception {
        for (int seed = 0; seed < 4; seed++) {
            boolean sliding = seed % 2 == 1;
            Windows windows = sliding ? Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100))
                    : Windows.tumbling(Duration.ofMillis(250));
            int count = 1 + (seed + p) % 5;
            RecoveryScript script = RecoveryScript.random(seed * 19L + p, count, RECORDS / p, "keyBy(key).window");
            Environment env = script.configure(env(p), dir.resolve("w-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            windowed(env, script.gate(), windows).collect(out);
            script.run(env, "windows");
            String context = "p " + p + ", " + windows + ", " + script;
            assertSameWindows(sliding ? reference(300, 100) : reference(250, 250), out, context);
        }
    }

    /** Count windows keep their open windows in checkpoints: each key's windows of 7 come out once, exactly. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void countWindowsCommitExactlyTheFailureFreeWindows(int p) throws Exception {
        List<Tuple> expected = new ArrayList<>();
        for (long k = 0; k < KEYS; k++) {
            long sum = 0;
            int n = 0;
            for (long i = k; i < RECORDS; i += KEYS) {
                sum += i;
                if (++n == 7) {
                    expected.add(Tuple.of(k, sum));
                    sum = 0;
                    n = 0;
                }
            }
        }
        for (int seed = 0; seed < 3; seed++) {
            int count = 1 + (seed + p) % 4;
            RecoveryScript script = RecoveryScript.random(seed * 29L + p, count, RECORDS, "keyBy(key).window");
            Environment env = script.configure(env(p), dir.resolve("c-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            generated(env, script.gate()).setParallelism(1).keyBy("key").countWindow(7).sum("value").collect(out);
            script.run(env, "count-windows");
            String context = "p " + p + ", " + script;
            assertSameWindows(expected, out, context);
        }
    }

    /** A user reduce on count windows keeps each key's open window in checkpoints: through failures and a rescale. */
    @Test
    void countWindowReducesAreExactlyOnceThroughFailuresAndRescaling() throws Exception {
        List<Tuple> expected = new ArrayList<>();
        for (long k = 0; k < KEYS; k++) {
            long sum = 0;
            int n = 0;
            for (long i = k; i < RECORDS; i += KEYS) {
                sum += i;
                if (++n == 7) {
                    expected.add(Tuple.of(k, sum, Instant.ofEpochMilli(i)));
                    sum = 0;
                    n = 0;
                }
            }
        }
        RecoveryScript script = RecoveryScript.random(53, 3, RECORDS, "keyBy(key).window");
        Environment env = script.configure(env(2), dir.resolve("count-reduce"));
        List<Tuple> out = new ArrayList<>();
        countReduced(env, script.gate()).collect(out);
        script.run(env, "count-reduce");
        assertSameWindows(expected, out, script.toString());
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 3,
                (e, gate, o) -> countReduced(e, gate).collect(o));
        assertSameWindows(expected, all, "rescaled 2 -> 4 -> 1");
    }

    private static DataStream countReduced(Environment env, SourceGate gate) {
        return generated(env, gate).setParallelism(1).keyBy("key").countWindow(7)
                .reduce(WindowFunctionTest.SUM_AND_LATEST);
    }

    /**
     * Stopped after a savepoint and restored at another parallelism, 2 -> 4 -> 1: panes are read back by
     * key group, and windows that some old subtasks had fired are emitted only for the keys that had not.
     */
    @Test
    void rescalingAWindowedJobThroughSavepointsEmitsEveryWindowOnce() throws Exception {
        Windows windows = Windows.sliding(Duration.ofMillis(300), Duration.ofMillis(100));
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, WindowRecoveryTest::env, RECORDS / 6,
                (env, gate, out) -> windowed(env, gate, windows).collect(out));
        assertSameWindows(reference(300, 100), all, "rescaled 2 -> 4 -> 1");
    }

    /** Equal as multisets; otherwise names the first windows missing and the first ones extra. */
    static void assertSameWindows(List<Tuple> expected, List<Tuple> actual, String context) {
        List<String> missing = new ArrayList<>();
        for (Tuple t : expected) {
            missing.add(t.toString());
        }
        List<String> extra = new ArrayList<>();
        for (Tuple t : actual) {
            if (!missing.remove(t.toString())) {
                extra.add(t.toString());
            }
        }
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new AssertionError(context + ": " + missing.size() + " windows missing, first "
                    + missing.subList(0, Math.min(5, missing.size())) + "; " + extra.size() + " extra, first "
                    + extra.subList(0, Math.min(5, extra.size())));
        }
    }
}
