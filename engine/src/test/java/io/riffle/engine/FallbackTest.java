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

import io.riffle.engine.connector.file.TransactionalCsvSink;
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
 * Checkpoints happen when the test triggers them, with the source waiting at a known record.
 */
@Timeout(120)
class FallbackTest {
    private static final long RECORDS = 3_000;
    private static final long KEYS = 50;

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

    private Environment checkpointed() {
        return env().enableCheckpointing(Duration.ZERO, dir.resolve("ckpt"))
                .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO));
    }

    private static void job(Environment env, GatedSource source, Path out) {
        env.fromSource(source).keyBy("key").sum("value").addSink(new TransactionalCsvSink(out));
    }

    private List<String> reference() throws IOException {
        Environment env = env();
        job(env, new GatedSource("gated", RECORDS, KEYS), dir.resolve("reference"));
        env.execute("reference");
        List<String> lines = committedLines(dir.resolve("reference"));
        assertEquals(RECORDS, lines.size());
        return lines;
    }

    /** Runs through checkpoint 1 (records before 1000) and 2 (before 2000); the source then waits at 2000. */
    private static void throughTwoCheckpoints(JobHandle job, GatedSource source) throws Exception {
        source.awaitGate(job);
        assertEquals(1L, job.triggerCheckpoint().get());
        source.openTo(2_000);
        source.awaitGate(job);
        assertEquals(2L, job.triggerCheckpoint().get());
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aRestartFallingBackTakesBackWhatTheDamagedCheckpointCommitted(Damage damage) throws Exception {
        List<String> reference = reference();
        GatedSource source = new GatedSource("gated", RECORDS, KEYS);
        source.openTo(1_000);
        Environment env = checkpointed().injectFailures(new FailOnce("keyBy(", 2_500));
        Path out = dir.resolve("out");
        job(env, source, out);
        JobHandle job = env.executeAsync("fallback");
        throughTwoCheckpoints(job, source);
        damage.apply(dir.resolve("ckpt/chk-2"));
        JobResult result;
        try (RecoveryLog log = new RecoveryLog()) {
            source.openTo(Long.MAX_VALUE);
            result = job.await();
            assertEquals(List.of("WARNING job 'fallback': checkpoint 2 is damaged (" + result.fallbacks().get(0).reason()
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
        GatedSource source = new GatedSource("gated", RECORDS, KEYS);
        source.openTo(1_000);
        Environment env = checkpointed();
        Path out = dir.resolve("out");
        job(env, source, out);
        JobHandle job = env.executeAsync("fallback");
        throughTwoCheckpoints(job, source);
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        damage.apply(dir.resolve("ckpt/chk-2"));

        Environment again = checkpointed().restoreFrom(dir.resolve("ckpt"));
        job(again, new GatedSource("gated", RECORDS, KEYS), out);
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
        JobHandle job = collectingJob(checkpointed().injectFailures(new FailOnce("keyBy(", 2_500)), out, damage);
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
            result = collectingJob(checkpointed().injectFailures(new FailOnce("keyBy(", 2_500))
                    .allowDuplicatesOnFallback(), out, damage).await();
            assertEquals(List.of("WARNING job 'collecting': checkpoint 2 is damaged (" + result.fallbacks().get(0).reason()
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

    private JobHandle collectingJob(Environment env, List<Tuple> out, Damage damage) throws Exception {
        GatedSource source = new GatedSource("gated", RECORDS, KEYS);
        source.openTo(1_000);
        env.fromSource(source).keyBy("key").sum("value").collect(out);
        JobHandle job = env.executeAsync("collecting");
        throughTwoCheckpoints(job, source);
        damage.apply(dir.resolve("ckpt/chk-2"));
        source.openTo(Long.MAX_VALUE);
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
            GatedSource main = new GatedSource("gated", RECORDS, KEYS);
            GatedSource side = new GatedSource("side", 300, 7);
            main.openTo(1_000);
            side.openTo(beforeFirst ? Long.MAX_VALUE : 0);
            Environment env = env().enableCheckpointing(Duration.ZERO, run.resolve("ckpt"))
                    .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO))
                    .injectFailures(new FailOnce("keyBy(", 2_500));
            job(env, main, run.resolve("out"));
            env.fromSource(side).addSink(new TransactionalCsvSink(run.resolve("side")));
            JobHandle job = env.executeAsync("fallback");
            side.awaitGate(job);
            main.awaitGate(job);
            assertEquals(1L, job.triggerCheckpoint().get());
            side.openTo(Long.MAX_VALUE);
            side.awaitGate(job);
            main.openTo(2_000);
            main.awaitGate(job);
            assertEquals(2L, job.triggerCheckpoint().get());
            damage.apply(run.resolve("ckpt/chk-2"));
            main.openTo(Long.MAX_VALUE);
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
