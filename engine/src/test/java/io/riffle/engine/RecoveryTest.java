package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.file.ArrowIpcSource;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once recovery: jobs with 1 to 5 injected failures at random operators, each after a checkpoint
 * taken at a random record count (a seeded {@link RecoveryScript}), must commit exactly the output of a
 * run without failures.
 */
@Timeout(120)
class RecoveryTest {
    private static final BatchSchema PAIR = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("twice", ColumnType.INT64));
    private static final long RECORDS = 30_000;

    @TempDir
    Path dir;

    private static Environment env(int p) {
        return Environment.streaming().setParallelism(p).setBatchSize(64).setChannelCapacity(8);
    }

    /** generate -> rebalance -> map -> collect: positions and the sink's commits, no keyed state. */
    private static void statelessJob(Environment env, SourceGate gate, List<Tuple> out) {
        env.fromSource(gate.wrap(new GeneratorSource(RECORDS, 100))).rebalance()
                .map(r -> Tuple.of(r.getLong(0), r.getLong(1) * 2), PAIR)
                .collect(out);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void statelessJobCommitsExactlyOnceThroughFailures(int p) throws Exception {
        List<Tuple> expected = new ArrayList<>();
        Environment plain = env(p);
        statelessJob(plain, new SourceGate(), expected);
        plain.execute("stateless");
        assertEquals(RECORDS, expected.size());
        for (int seed = 0; seed < 4; seed++) {
            RecoveryScript script = RecoveryScript.random(seed * 31L + p, 1 + seed % 5, RECORDS / p, "map", "collect");
            Environment env = script.configure(env(p), dir.resolve("s" + seed));
            List<Tuple> actual = new ArrayList<>();
            statelessJob(env, script.gate(), actual);
            script.run(env, "stateless");
            assertEquals(sorted(expected), sorted(actual), script.toString());
        }
    }

    /** The Arrow IPC source rewinds by record batch: a job reading a file commits each record once. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void anArrowFileIsReadExactlyOnceThroughFailures(int p) throws Exception {
        Path file = dir.resolve("input.arrow");
        Environment write = Environment.batch().setParallelism(1).setBatchSize(100);
        write.generate(RECORDS, 100).writeArrow(file);
        write.execute();
        for (int seed = 0; seed < 3; seed++) {
            // Record batch i of 100 goes to subtask i mod p: the smallest reader reads RECORDS / p less a batch.
            RecoveryScript script = RecoveryScript.random(seed * 7L + p, 1 + seed, RECORDS / p - 100, "map", "collect");
            Environment env = script.configure(env(p), dir.resolve("arrow-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            env.fromSource(script.source(new ArrowIpcSource(file))).map(r -> Tuple.of(r.getLong(0), r.getLong(1) * 2),
                    PAIR).collect(out);
            script.run(env, "arrow");
            List<Long> values = new ArrayList<>();
            for (Tuple t : out) {
                values.add(t.getLong(1) / 2);
            }
            values.sort(null);
            for (int i = 0; i < RECORDS; i++) {
                if (values.size() <= i || values.get(i) != i) {
                    throw new AssertionError("p " + p + ", " + script + ": record " + i + " committed "
                            + (values.size() <= i ? "never" : "as " + values.get(i)) + "; " + values.size() + " in all");
                }
            }
            assertEquals(RECORDS, values.size());
        }
    }

    @Test
    void twoRunningJobsCannotShareACheckpointDirectory() {
        Environment first = env(1).enableCheckpointing(Duration.ZERO, dir.resolve("shared"));
        first.generate(Long.MAX_VALUE, 10, 1_000).collect(new ArrayList<>());
        JobHandle running = first.executeAsync("first");
        Environment second = env(1).enableCheckpointing(Duration.ZERO, dir.resolve("shared"));
        second.generate(10, 10).collect(new ArrayList<>());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.executeAsync("second"));
        assertTrue(e.getMessage().endsWith("is in use by another running job (" + dir.resolve("shared/_lock")
                + " is locked)"), e.getMessage());
        running.cancel();
        assertThrows(JobFailedException.class, running::await);
        Environment third = env(1).enableCheckpointing(Duration.ZERO, dir.resolve("shared"));
        List<Tuple> out = new ArrayList<>();
        third.generate(10, 10).collect(out);
        third.execute("third");
        assertEquals(10, out.size(), "the directory is free once the first job ended");
    }

    @Test
    void withoutRestartsTheFirstFailureFailsTheJobWithItsCause() {
        PlannedFailures failures = PlannedFailures.random(7, 1, RECORDS, "map");
        Environment env = env(2).injectFailures(failures);
        List<Tuple> out = new ArrayList<>();
        env.generate(RECORDS, 100).map(r -> Tuple.of(r.getLong(0), r.getLong(1)), PAIR).collect(out);
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertEquals("map", e.operator());
        assertTrue(e.getCause().getMessage().startsWith("injected failure in map at record"), e.getCause().getMessage());
        assertEquals(List.of(), out, "nothing is committed by a failed job");
    }

    /** The failure injector hears of each attempt once, in order, the first one included. */
    @Test
    void eachAttemptIsReportedToTheFailureInjectorInOrder() {
        PlannedFailures failures = PlannedFailures.random(11, 3, RECORDS, "map");
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        FailureInjector reporting = new FailureInjector() {
            @Override
            public void beforeBatch(String operator, int subtask, int rows) {
                failures.beforeBatch(operator, subtask, rows);
            }

            @Override
            public void attemptStarted(int attempt) {
                attempts.add(attempt);
            }
        };
        Environment env = env(2).injectFailures(reporting).setRestartStrategy(RestartStrategy.fixedDelay(3, Duration.ZERO));
        env.generate(RECORDS, 100).map(r -> Tuple.of(r.getLong(0), r.getLong(1)), PAIR).collect(new ArrayList<>());
        JobResult result = env.execute();
        failures.assertHappened(result, "failures " + failures);
        List<Integer> expected = new ArrayList<>();
        for (int a = 0; a <= result.restarts(); a++) {
            expected.add(a);
        }
        assertEquals(expected, attempts);
    }

    @Test
    void restartsUsedUpFailTheJobWithTheLastCause() {
        PlannedFailures failures = PlannedFailures.random(3, 3, RECORDS, "map");
        Environment env = env(1).injectFailures(failures).setRestartStrategy(RestartStrategy.fixedDelay(2, Duration.ZERO));
        env.generate(RECORDS, 100).map(r -> Tuple.of(r.getLong(0), r.getLong(1)), PAIR).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, env::execute);
        assertTrue(e.getMessage().startsWith("job 'riffle-job' failed after 2 restarts: "), e.getMessage());
        assertEquals(3, failures.fired.get());
    }

    @Test
    void aBatchJobRestartsFromTheStart() {
        PlannedFailures failures = PlannedFailures.random(5, 2, RECORDS, "map");
        Environment env = Environment.batch().setParallelism(2).setBatchSize(64).injectFailures(failures)
                .setRestartStrategy(RestartStrategy.fixedDelay(3, Duration.ZERO));
        List<Tuple> out = new ArrayList<>();
        env.generate(RECORDS, 10).map(r -> Tuple.of(r.getLong(0), r.getLong(1)), PAIR).groupBy(0).sum(1).collect(out);
        JobResult result = env.execute();
        failures.assertHappened(result, "failures " + failures);
        long[] sums = new long[10];
        for (long i = 0; i < RECORDS; i++) {
            sums[(int) (i % 10)] += i;
        }
        List<Tuple> expected = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            expected.add(Tuple.of((long) k, sums[k]));
        }
        assertEquals(sorted(expected), sorted(out));
    }
}
