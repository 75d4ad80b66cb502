package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.file.TransactionalCsvSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which checkpoint a restart restores: the newest this run took, else the one the run was started from
 * ({@code restoreFrom}), else none. Never a checkpoint an earlier run left in the same directory, and
 * never the beginning when the run started from a checkpoint.
 */
@Timeout(60)
class RestartCheckpointChoiceTest {
    private static final long RECORDS = 3_000;
    private static final long KEYS = 50;

    @TempDir
    Path dir;

    private static Environment env() {
        return Environment.streaming().setParallelism(2).setBatchSize(100)
                .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO));
    }

    private static void job(Environment env, Source source, Path out) {
        env.fromSource(source).keyBy("key").sum("value").addSink(new TransactionalCsvSink(out));
    }

    /** The source behind {@code gate}, as every run that checkpoints or restores needs it: the positions are the gate's. */
    private static Source gated(SourceGate gate) {
        return gate.wrap(FallbackTest.keyValues("gated", RECORDS, KEYS));
    }

    private List<String> reference() throws IOException {
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(100);
        job(env, FallbackTest.keyValues("gated", RECORDS, KEYS), dir.resolve("reference"));
        env.execute("reference");
        return FallbackTest.committedLines(dir.resolve("reference"));
    }

    /** A first run stopped after checkpoint 1 (records before 1000), its output committed into {@code out}. */
    private void firstRunThroughCheckpointOne(Path checkpoints, Path out) throws Exception {
        SourceGate gate = new SourceGate();
        Environment env = env().enableCheckpointing(Duration.ZERO, checkpoints).injectFailures(gate);
        job(env, gated(gate), out);
        gate.holdAt(1_000);
        JobHandle job = env.executeAsync("choice");
        gate.awaitHeld(job);
        assertEquals(1L, job.triggerCheckpoint().get());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
    }

    /**
     * A run restored from checkpoint 1 of another fails before it completed a checkpoint of its own (or
     * takes none): the restart restores checkpoint 1 again, where it used to start from the beginning and
     * write the first 1000 records' output a second time.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aRestartBeforeTheRunsFirstCheckpointRestoresTheOneItStartedFrom(boolean checkpointing) throws Exception {
        List<String> reference = reference();
        Path out = dir.resolve("out");
        firstRunThroughCheckpointOne(dir.resolve("first"), out);
        // 1500 records after checkpoint 1's 1000: before the end, and before any checkpoint of this run.
        Environment env = env().restoreFrom(dir.resolve("first/chk-1")).injectFailures(new FailOnce("keyBy(", 1_500));
        if (checkpointing) {
            env.enableCheckpointing(Duration.ZERO, dir.resolve("second"));
        }
        job(env, gated(new SourceGate()), out);
        JobResult result = env.execute("choice");
        assertEquals(1, result.restarts());
        assertEquals(dir.resolve("first/chk-1"), result.restoredCheckpoint());
        FallbackTest.assertSameLines(reference, FallbackTest.committedLines(out), "restarted, checkpointing "
                + checkpointing);
    }

    @Test
    void aRestartNeverRestoresACheckpointOfAnEarlierRun() throws Exception {
        List<String> reference = reference();
        Path checkpoints = dir.resolve("ckpt");
        firstRunThroughCheckpointOne(checkpoints, dir.resolve("first/out"));
        Environment env = env().enableCheckpointing(Duration.ZERO, checkpoints)
                .injectFailures(new FailOnce("keyBy(", 500));
        job(env, gated(new SourceGate()), dir.resolve("second/out"));
        JobResult result = env.execute("choice");
        assertEquals(1, result.restarts());
        assertEquals(null, result.restoredCheckpoint());
        FallbackTest.assertSameLines(reference, FallbackTest.committedLines(dir.resolve("second/out")),
                "a fresh run restarted before its first checkpoint");
    }
}
