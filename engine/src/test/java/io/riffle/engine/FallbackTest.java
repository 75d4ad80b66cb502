package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.file.TransactionalCsvSink;
import io.riffle.engine.internal.connector.CollectionSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Falling back over a damaged checkpoint without doubling committed output. A job with a transactional
 * sink goes through checkpoints 1 (records before 1000) and 2 (before 2000), both committed; checkpoint 2
 * is then damaged (a flipped bit or a truncated or deleted state file, detected when restored or listed;
 * a broken manifest) and the job restarts after a failure, or a new job restores the directory. Recovery
 * restores checkpoint 1, so the records 1000 to 2000 come again: the sink must first take back what
 * checkpoint 2 committed, and the committed output must equal a run without failures line for line. A
 * sink that cannot take output back makes the job refuse the fallback, unless duplicates are allowed.
 * Checkpoints happen when the test triggers them, with the source held at a known record.
 */
@Timeout(120)
class FallbackTest {
    private static final long RECORDS = 3_000;
    private static final long KEYS = 50;
    private static final BatchSchema KEY_VALUE = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));

    @TempDir
    Path dir;

    enum Damage {
        FLIPPED_BIT("snapshot file .*/chk-2/\\d+-[01]\\.state: .*"),
        TRUNCATED_STATE_FILE(".*/chk-2/\\d+-[01]\\.state: \\d+ bytes, the manifest says \\d+"),
        DELETED_STATE_FILE(".*/chk-2/\\d+-[01]\\.state: missing"),
        BROKEN_MANIFEST(".*/chk-2/_manifest: fails its checksum");

        /** What the fallback's reason says. */
        final String reason;

        Damage(String reason) {
            this.reason = reason;
        }

        void apply(Path checkpoint) throws IOException {
            if (this == BROKEN_MANIFEST) {
                byte[] manifest = Files.readAllBytes(checkpoint.resolve("_manifest"));
                manifest[manifest.length / 2] ^= 0x40;
                Files.write(checkpoint.resolve("_manifest"), manifest);
                return;
            }
            for (Path state : stateFiles(checkpoint)) {
                byte[] bytes = Files.readAllBytes(state);
                switch (this) {
                    case FLIPPED_BIT -> {
                        bytes[bytes.length / 2] ^= 0x10;
                        Files.write(state, bytes);
                    }
                    case TRUNCATED_STATE_FILE -> Files.write(state, Arrays.copyOf(bytes, bytes.length / 2));
                    default -> Files.delete(state);
                }
            }
        }
    }

    private static List<Path> stateFiles(Path checkpoint) throws IOException {
        try (Stream<Path> files = Files.list(checkpoint)) {
            List<Path> out = new ArrayList<>();
            files.filter(f -> f.getFileName().toString().endsWith(".state")).forEach(out::add);
            assertTrue(!out.isEmpty(), "no state file in " + checkpoint);
            return out;
        }
    }

    private static Environment env() {
        return Environment.streaming().setParallelism(2).setBatchSize(100);
    }

    /** Checkpointed, restarting once; {@code gate} is the job's failure injector. */
    private Environment checkpointed(SourceGate gate) {
        return env().enableCheckpointing(Duration.ZERO, dir.resolve("ckpt"))
                .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).injectFailures(gate);
    }

    /**
     * Records {@code (key: i mod keys, value: i)} for {@code i < records}, read by one subtask; rewindable.
     * Behind a {@link SourceGate}, a test holds them at a record of its choosing.
     */
    static Source keyValues(String name, long records, long keys) {
        List<Tuple> rows = new ArrayList<>();
        for (long i = 0; i < records; i++) {
            rows.add(Tuple.of(i % keys, i));
        }
        return new CollectionSource(name, KEY_VALUE, rows);
    }

    private static void job(Environment env, Source source, Path out) {
        env.fromSource(source).keyBy("key").sum("value").addSink(new TransactionalCsvSink(out));
    }

    private List<String> reference() throws IOException {
        Environment env = env();
        job(env, keyValues("gated", RECORDS, KEYS), dir.resolve("reference"));
        env.execute("reference");
        List<String> lines = committedLines(dir.resolve("reference"));
        assertEquals(RECORDS, lines.size());
        return lines;
    }

    /**
     * Runs the job, its source held at 1000 records from the start, through checkpoint 1 (records before 1000)
     * and 2 (before 2000); the source is then held at 2000.
     */
    private static JobHandle throughTwoCheckpoints(Environment env, SourceGate gate, String name) throws Exception {
        gate.holdAt(1_000);
        JobHandle job = env.executeAsync(name);
        gate.awaitHeld(job);
        assertEquals(1L, job.triggerCheckpoint().get());
        gate.holdAt(2_000);
        gate.awaitHeld(job);
        assertEquals(2L, job.triggerCheckpoint().get());
        return job;
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aRestartFallingBackTakesBackWhatTheDamagedCheckpointCommitted(Damage damage) throws Exception {
        List<String> reference = reference();
        SourceGate gate = new SourceGate(new FailOnce("keyBy(", 2_500));
        Environment env = checkpointed(gate);
        Path out = dir.resolve("out");
        job(env, gate.wrap(keyValues("gated", RECORDS, KEYS)), out);
        JobHandle job = throughTwoCheckpoints(env, gate, "fallback");
        damage.apply(dir.resolve("ckpt/chk-2"));
        JobResult result;
        try (RecoveryLog log = new RecoveryLog()) {
            gate.release();
            result = job.await();
            assertEquals(List.of("WARN job 'fallback': checkpoint 2 is damaged (" + result.fallbacks().get(0).reason()
                    + "); restored checkpoint 1 (" + dir.resolve("ckpt/chk-1") + ") instead, its sinks having taken back"
                    + " what they committed after checkpoint 1"), log.lines());
        }
        assertEquals(1, result.restarts());
        assertSameLines(reference, committedLines(out), "after falling back from a " + damage);
        assertFellBackFromTwoToOne(result, damage, false);
    }

    private void assertFellBackFromTwoToOne(JobResult result, Damage damage, boolean duplicates) {
        assertEquals(dir.resolve("ckpt/chk-1"), result.restoredCheckpoint());
        assertEquals(1, result.fallbacks().size(), result.fallbacks().toString());
        JobResult.Fallback fallback = result.fallbacks().get(0);
        assertEquals(dir.resolve("ckpt/chk-2"), fallback.damaged());
        assertTrue(fallback.reason().matches(damage.reason), fallback.reason());
        assertEquals(dir.resolve("ckpt/chk-1"), fallback.restored());
        assertEquals(duplicates, fallback.duplicates());
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aRestoreFallingBackTakesBackWhatTheDamagedCheckpointCommitted(Damage damage) throws Exception {
        List<String> reference = reference();
        SourceGate gate = new SourceGate();
        Environment env = checkpointed(gate);
        Path out = dir.resolve("out");
        job(env, gate.wrap(keyValues("gated", RECORDS, KEYS)), out);
        JobHandle job = throughTwoCheckpoints(env, gate, "fallback");
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        damage.apply(dir.resolve("ckpt/chk-2"));

        SourceGate unheld = new SourceGate();
        Environment again = checkpointed(unheld).restoreFrom(dir.resolve("ckpt"));
        job(again, unheld.wrap(keyValues("gated", RECORDS, KEYS)), out);
        JobResult result = again.execute("fallback");
        assertEquals(0, result.restarts());
        assertSameLines(reference, committedLines(out), "after falling back from a " + damage);
        assertFellBackFromTwoToOne(result, damage, false);
    }

    /**
     * {@code collect(list)} cannot take back rows it committed into the list: the restart refuses to fall
     * back, naming the damaged checkpoint and the sink; the job fails and the list keeps what was committed.
     */
    @ParameterizedTest
    @EnumSource(Damage.class)
    void aSinkThatCannotTakeOutputBackMakesTheJobRefuseTheFallback(Damage damage) throws Exception {
        List<Tuple> out = new ArrayList<>();
        SourceGate gate = new SourceGate(new FailOnce("keyBy(", 2_500));
        JobHandle job = collectingJob(checkpointed(gate), gate, out, damage);
        JobFailedException e = assertThrows(JobFailedException.class, job::await);
        String message = e.getMessage();
        String refusal = "checkpoint 2 is damaged (";
        assertTrue(message.startsWith("job 'collecting' failed after 1 restart: ") && message.contains(refusal), message);
        String reason = message.substring(message.indexOf(refusal) + refusal.length(), message.indexOf("); restoring"));
        assertTrue(reason.matches(damage.reason), reason);
        assertTrue(message.endsWith("); restoring checkpoint 1 would repeat the output that sink 'collect' already"
                + " committed and cannot take back; allow the duplicates with allowDuplicatesOnFallback()"
                + " (CLI: --allow-duplicates-on-fallback)"), message);
        assertEquals(2_000, out.size(), "what checkpoints 1 and 2 committed stays, once");
    }

    /** Allowed, the fallback goes on: the records between checkpoints 1 and 2 are committed twice, and it says so. */
    @ParameterizedTest
    @EnumSource(Damage.class)
    void allowedDuplicatesRepeatWhatTheDamagedCheckpointCommitted(Damage damage) throws Exception {
        List<Tuple> out = new ArrayList<>();
        JobResult result;
        try (RecoveryLog log = new RecoveryLog()) {
            SourceGate gate = new SourceGate(new FailOnce("keyBy(", 2_500));
            result = collectingJob(checkpointed(gate).allowDuplicatesOnFallback(), gate, out, damage).await();
            assertEquals(List.of("WARN job 'collecting': checkpoint 2 is damaged (" + result.fallbacks().get(0).reason()
                    + "); restored checkpoint 1 (" + dir.resolve("ckpt/chk-1") + ") instead, so sink 'collect' will"
                    + " write again what was committed after checkpoint 1 (duplicates allowed)"), log.lines());
        }
        List<Tuple> expected = new ArrayList<>();
        long[] sums = new long[(int) KEYS];
        for (long i = 0; i < RECORDS; i++) {
            Tuple row = Tuple.of(i % KEYS, sums[(int) (i % KEYS)] += i);
            expected.add(row);
            if (i >= 1_000 && i < 2_000) {
                expected.add(row);
            }
        }
        assertEquals(TupleLists.sorted(expected), TupleLists.sorted(out));
        assertFellBackFromTwoToOne(result, damage, true);
    }

    /** Runs the job through two checkpoints in {@code env}, whose failure injector is {@code gate}. */
    private JobHandle collectingJob(Environment env, SourceGate gate, List<Tuple> out, Damage damage)
            throws Exception {
        env.fromSource(gate.wrap(keyValues("gated", RECORDS, KEYS))).keyBy("key").sum("value").collect(out);
        JobHandle job = throughTwoCheckpoints(env, gate, "collecting");
        damage.apply(dir.resolve("ckpt/chk-2"));
        gate.release();
        return job;
    }

    /**
     * A sink subtask that finished stages its last output under the id after the last checkpoint it saw,
     * so a fallback takes it back exactly when the restored checkpoint does not hold it: finished before
     * checkpoint 1, its output stays (checkpoint 1 restores it finished); finished between 1 and 2, it goes
     * and is written again.
     */
    @ParameterizedTest
    @EnumSource(Damage.class)
    void outputStagedAtEndOfInputIsTakenBackOnlyWhenTheRestoredCheckpointLacksIt(Damage damage) throws Exception {
        for (boolean beforeFirst : new boolean[] {true, false}) {
            Path run = dir.resolve(damage + "-" + beforeFirst);
            // The two sources are held apart: a gate each, the main one the job's injector, asking the side one.
            SourceGate side = new SourceGate(new FailOnce("keyBy(", 2_500));
            SourceGate main = new SourceGate(side);
            main.holdAt(1_000);
            if (!beforeFirst) {
                side.holdAt(0);
            }
            Environment env = env().enableCheckpointing(Duration.ZERO, run.resolve("ckpt"))
                    .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).injectFailures(main);
            job(env, main.wrap(keyValues("gated", RECORDS, KEYS)), run.resolve("out"));
            env.fromSource(side.wrap(keyValues("side", 300, 7))).addSink(new TransactionalCsvSink(run.resolve("side")));
            JobHandle job = env.executeAsync("fallback");
            side.awaitHeld(job);
            main.awaitHeld(job);
            assertEquals(1L, job.triggerCheckpoint().get());
            side.release();
            side.awaitHeld(job);
            main.holdAt(2_000);
            main.awaitHeld(job);
            assertEquals(2L, job.triggerCheckpoint().get());
            damage.apply(run.resolve("ckpt/chk-2"));
            main.release();
            JobResult result = job.await();
            assertEquals(1, result.restarts());
            List<String> sideLines = committedLines(run.resolve("side"));
            assertEquals(300, sideLines.size(), "side output, finished " + (beforeFirst ? "before 1" : "between 1 and 2"));
            assertEquals(300, new HashSet<>(sideLines).size(), "each side record once");
            assertEquals(RECORDS, committedLines(run.resolve("out")).size());
        }
    }

    /** The committed lines are the reference's, each as often; a failure says how many were doubled or lost. */
    static void assertSameLines(List<String> expected, List<String> actual, String context) {
        if (expected.equals(actual)) {
            return;
        }
        List<String> extra = new ArrayList<>(actual);
        List<String> missing = new ArrayList<>();
        for (String line : expected) {
            if (!extra.remove(line)) {
                missing.add(line);
            }
        }
        throw new AssertionError(context + ": " + actual.size() + " lines committed, " + expected.size()
                + " expected; " + extra.size() + " extra (first " + extra.subList(0, Math.min(3, extra.size()))
                + "), " + missing.size() + " missing (first " + missing.subList(0, Math.min(3, missing.size())) + ")");
    }

    /** The data lines of every committed part file, sorted (each file starts with a header line). */
    static List<String> committedLines(Path directory) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith("part-") && name.endsWith(".csv")) {
                    List<String> all = Files.readAllLines(f);
                    assertEquals("key,value", all.get(0), f.toString());
                    lines.addAll(all.subList(1, all.size()));
                }
            }
        }
        lines.sort(null);
        return lines;
    }
}
