package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.riffle.engine.cli.RiffleCli;
import io.riffle.engine.connector.file.ArrowIpcSink;
import io.riffle.engine.connector.file.CsvSink;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyed sum written with {@code writeCsv} under checkpoints, failed after checkpoints the test takes at
 * chosen records ({@link RecoveryScript}) and restored: the file equals a failure-free run's byte for byte,
 * header once, and no temporary file is left.
 */
@Timeout(120)
class CsvSinkRecoveryTest {
    private static final long RECORDS = 20_000;

    @TempDir
    Path dir;

    private static Environment env() {
        return Environment.streaming().setParallelism(1).setBatchSize(64).setChannelCapacity(8);
    }

    private List<String> filesIn(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRestoredKeyedSumWritesTheFailureFreeFileByteForByte() throws Exception {
        Path reference = dir.resolve("reference").resolve("sums.csv");
        Environment plain = env();
        plain.fromSource(new GeneratorSource(RECORDS, 97)).keyBy("key").sum("value").writeCsv(reference);
        plain.execute("reference");
        byte[] expected = Files.readAllBytes(reference);
        for (int seed = 0; seed < 4; seed++) {
            Path out = dir.resolve("out-" + seed).resolve("sums.csv");
            RecoveryScript script = RecoveryScript.random(seed * 7L + 1, 1 + seed % 3, RECORDS,
                    "keyBy(key).sum(value)", "csv(sums.csv)");
            Environment env = script.configure(env(), dir.resolve("checkpoints-" + seed));
            env.fromSource(script.source(new GeneratorSource(RECORDS, 97))).keyBy("key").sum("value").writeCsv(out);
            script.run(env, "csv-" + seed);
            assertArrayEquals(expected, Files.readAllBytes(out), script.toString());
            assertEquals(List.of("sums.csv"), filesIn(out.getParent()), script.toString());
        }
    }

    @Test
    void aJobThatCheckpointsIntoAnArrowFileIsRefusedWhenItStarts() {
        Environment env = env().enableCheckpointing(java.time.Duration.ofHours(1), dir.resolve("checkpoints"));
        env.fromSource(new GeneratorSource(RECORDS, 97)).keyBy("key").sum("value")
                .addSink(new ArrowIpcSink(dir.resolve("sums.arrow")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> env.executeAsync("arrow"));
        assertEquals("sink 'arrow(sums.arrow)' cannot resume its file after a restore, so a job that checkpoints"
                + " would lose its rows; write with writeCsv or TransactionalCsvSink, or run without checkpoints",
                e.getMessage());
    }

    /**
     * The keyed sum of {@code FallbackTest.keyValues} (3000 records, 50 keys, one source subtask) into
     * {@code out/sums.csv}, beside a side source of 300 records into {@code out/side/side.csv} that keeps
     * the job running (and checkpointing) after the main input ended while a gate holds it.
     */
    private static void twoFileJob(Environment env, SourceGate main, SourceGate side, Path out) {
        env.fromSource(main.wrap(FallbackTest.keyValues("gated", 3_000, 50))).keyBy("key").sum("value")
                .writeCsv(out.resolve("sums.csv"));
        env.fromSource(side.wrap(FallbackTest.keyValues("side", 300, 7)))
                .writeCsv(out.resolve("side").resolve("side.csv"));
    }

    private Path twoFileReference() throws Exception {
        Path out = dir.resolve("reference");
        SourceGate gate = new SourceGate();
        Environment env = env().injectFailures(gate);
        twoFileJob(env, gate, gate, out);
        env.execute("reference");
        return out;
    }

    private void assertSameFiles(Path expected, Path actual, String context) throws Exception {
        assertArrayEquals(Files.readAllBytes(expected.resolve("sums.csv")),
                Files.readAllBytes(actual.resolve("sums.csv")), context);
        assertArrayEquals(Files.readAllBytes(expected.resolve("side/side.csv")),
                Files.readAllBytes(actual.resolve("side/side.csv")), context);
        assertEquals(List.of("side", "sums.csv"), filesIn(actual), context + ": no temporary file left");
        assertEquals(List.of("side.csv"), filesIn(actual.resolve("side")), context + ": no temporary file left");
    }

    /**
     * Checkpoint 1 holds the main input at 1000 records; the main input then ends, so checkpoint 2 (its
     * sink subtask finished) renames {@code sums.csv} into place, and checkpoint 3 follows. With checkpoints
     * 2 and 3 damaged, recovery falls back to checkpoint 1, over the checkpoint that renamed the file: the
     * file must go back to being staged and be resumed at checkpoint 1's length. With only 3 damaged,
     * checkpoint 2 is restored and the file stays as it is. Recovery is a restart after the side sink fails
     * (the sink that renamed the file takes it back) or a new job restoring the directory (a new sink, which
     * never saw the rename). Either way the file ends up byte for byte the failure-free file.
     */
    @Test
    void aFallbackOverTheCheckpointThatRenamedTheFileWritesItAgainByteForByte() throws Exception {
        Path reference = twoFileReference();
        for (boolean restart : new boolean[] {true, false}) {
            for (int damaged : new int[] {3, 2}) {
                String context = (restart ? "restart" : "restore") + ", checkpoints " + damaged + " to 3 damaged";
                Path run = dir.resolve((restart ? "restart" : "restore") + "-damaged-from-" + damaged);
                Path out = run.resolve("out");
                SourceGate side = new SourceGate(new FailOnce("csv(side.csv)", 1));
                SourceGate main = new SourceGate(side);
                side.holdAt(0);
                main.holdAt(1_000);
                Environment env = env().enableCheckpointing(Duration.ZERO, run.resolve("ckpt"))
                        .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).injectFailures(main);
                twoFileJob(env, main, side, out);
                JobHandle job = env.executeAsync("renamed");
                side.awaitHeld(job);
                main.awaitHeld(job);
                assertEquals(1L, job.triggerCheckpoint().get());
                main.release();
                main.awaitHeld(job);
                assertEquals(2L, job.triggerCheckpoint().get());
                assertArrayEquals(Files.readAllBytes(reference.resolve("sums.csv")),
                        Files.readAllBytes(out.resolve("sums.csv")),
                        "checkpoint 2 renamed the finished file into place");
                assertEquals(3L, job.triggerCheckpoint().get());
                JobResult result;
                if (restart) {
                    for (int id = damaged; id <= 3; id++) {
                        FallbackTest.Damage.BROKEN_MANIFEST.apply(run.resolve("ckpt/chk-" + id));
                    }
                    side.release();
                    result = job.await();
                    assertEquals(1, result.restarts(), context);
                } else {
                    job.cancel();
                    assertThrows(JobFailedException.class, job::await);
                    for (int id = damaged; id <= 3; id++) {
                        FallbackTest.Damage.BROKEN_MANIFEST.apply(run.resolve("ckpt/chk-" + id));
                    }
                    SourceGate unheld = new SourceGate();
                    Environment again = env().enableCheckpointing(Duration.ZERO, run.resolve("ckpt"))
                            .restoreFrom(run.resolve("ckpt")).injectFailures(unheld);
                    twoFileJob(again, unheld, unheld, out);
                    result = again.execute("renamed");
                }
                assertEquals(run.resolve("ckpt/chk-" + (damaged - 1)), result.restoredCheckpoint(), context);
                assertEquals(4 - damaged, result.fallbacks().size(), context + ": " + result.fallbacks());
                assertSameFiles(reference, out, context);
            }
        }
    }

    /** Checkpoints 1 and 2 at 1000 and 2000 input records, 2 damaged: the file resumes at checkpoint 1's length. */
    @Test
    void aRestoreFallingBackBeforeTheInputEndedResumesTheOlderLength() throws Exception {
        Path reference = twoFileReference();
        Path out = dir.resolve("out");
        SourceGate side = new SourceGate();
        SourceGate main = new SourceGate(side);
        side.holdAt(0);
        main.holdAt(1_000);
        Environment env = env().enableCheckpointing(Duration.ZERO, dir.resolve("ckpt")).injectFailures(main);
        twoFileJob(env, main, side, out);
        JobHandle job = env.executeAsync("open");
        side.awaitHeld(job);
        main.awaitHeld(job);
        assertEquals(1L, job.triggerCheckpoint().get());
        main.holdAt(2_000);
        main.awaitHeld(job);
        assertEquals(2L, job.triggerCheckpoint().get());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        FallbackTest.Damage.DELETED_STATE_FILE.apply(dir.resolve("ckpt/chk-2"));

        SourceGate unheld = new SourceGate();
        Environment again = env().enableCheckpointing(Duration.ZERO, dir.resolve("ckpt"))
                .restoreFrom(dir.resolve("ckpt")).injectFailures(unheld);
        twoFileJob(again, unheld, unheld, out);
        JobResult result = again.execute("open");
        assertEquals(dir.resolve("ckpt/chk-1"), result.restoredCheckpoint());
        assertEquals(1, result.fallbacks().size(), result.fallbacks().toString());
        assertSameFiles(reference, out, "checkpoint 2 damaged");
    }

    /**
     * A partitioned sink at parallelism 2 behind one source subtask: each sum subtask reads its keys from
     * that one subtask in the source's order, so each part file's lines come in the same order in every
     * run, and the parts are compared byte for byte.
     */
    private static void partitionedJob(Environment env, SourceGate gate, Path out) {
        env.fromSource(gate.wrap(FallbackTest.keyValues("gated", 3_000, 50))).keyBy("key").sum("value")
                .addSink(CsvSink.partitioned(out));
    }

    @Test
    void aPartitionedSinkRestartedAfterAFailureWritesTheFailureFreePartsByteForByte() throws Exception {
        Path reference = dir.resolve("reference");
        SourceGate plain = new SourceGate();
        Environment env = env().setParallelism(2).injectFailures(plain);
        partitionedJob(env, plain, reference);
        env.execute("reference");

        Path out = dir.resolve("out");
        SourceGate gate = new SourceGate(new FailOnce("keyBy(", 2_500));
        Environment failing = env().setParallelism(2).enableCheckpointing(Duration.ZERO, dir.resolve("ckpt"))
                .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).injectFailures(gate);
        partitionedJob(failing, gate, out);
        gate.holdAt(1_000);
        JobHandle job = failing.executeAsync("parts");
        gate.awaitHeld(job);
        assertEquals(1L, job.triggerCheckpoint().get());
        gate.release();
        JobResult result = job.await();
        assertEquals(1, result.restarts());
        assertEquals(dir.resolve("ckpt/chk-1"), result.restoredCheckpoint());
        assertEquals(List.of("part-0.csv", "part-1.csv"), filesIn(out));
        for (String part : filesIn(out)) {
            assertArrayEquals(Files.readAllBytes(reference.resolve(part)), Files.readAllBytes(out.resolve(part)), part);
        }
    }

    @Test
    void aPartitionedSinkRestoredAtAnotherParallelismIsRefused() throws Exception {
        Path out = dir.resolve("out");
        SourceGate gate = new SourceGate();
        Environment env = env().setParallelism(2).enableCheckpointing(Duration.ZERO, dir.resolve("ckpt"))
                .injectFailures(gate);
        partitionedJob(env, gate, out);
        gate.holdAt(1_000);
        JobHandle job = env.executeAsync("parts");
        gate.awaitHeld(job);
        assertEquals(1L, job.triggerCheckpoint().get());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);

        SourceGate unheld = new SourceGate();
        Environment again = env().enableCheckpointing(Duration.ZERO, dir.resolve("ckpt"))
                .restoreFrom(dir.resolve("ckpt/chk-1")).injectFailures(unheld);
        partitionedJob(again, unheld, out);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> again.execute("parts"));
        assertEquals("operator 'csv(out/part-*.csv)' could not start: sink 'csv(out/part-*.csv)' was checkpointed"
                + " with subtask 1 but is restored at parallelism 1; restore it at the parallelism it was checkpointed"
                + " at, or its files would lose rows", e.getMessage());
    }

    /**
     * The CLI writes {@code --output DIR} with writeCsv only when it takes no checkpoints ({@code
     * --checkpoint-dir} switches it to TransactionalCsvSink, and {@code --from} such a checkpoint is refused
     * as another job's); {@code --fail-after} then restarts the job from the beginning, and the file is the
     * failure-free one byte for byte. CsvSink under checkpoints is tested through the API above.
     */
    @Test
    void theCliRestartedFromTheBeginningWritesTheFailureFreeFile() throws Exception {
        byte[] expected = null;
        for (String failAfter : new String[] {"0", "7000"}) {
            Path output = dir.resolve("cli-" + failAfter);
            ByteArrayOutputStream summary = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int rc = RiffleCli.execute(new String[] {"run", "keyed-sum", "--records", "20000", "--keys", "97",
                "--parallelism", "1", "--output", output.toString(), "--fail-after", failAfter},
                    new PrintStream(summary, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
            String restarts = "\"restarts\":" + (failAfter.equals("0") ? 0 : 1) + ",";
            String json = summary.toString(StandardCharsets.UTF_8);
            assertTrue(json.contains(restarts), json);
            assertEquals(List.of("keyed-sum.csv"), filesIn(output));
            byte[] written = Files.readAllBytes(output.resolve("keyed-sum.csv"));
            if (expected == null) {
                expected = written;
                assertEquals(20_001, new String(written, StandardCharsets.UTF_8).split("\n").length);
            } else {
                assertArrayEquals(expected, written, "--fail-after " + failAfter);
            }
        }
    }
}
