package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RestartStrategyTest {
    @TempDir
    Path dir;

    @Test
    void delaysPerStrategy() {
        assertEquals(-1, RestartStrategy.none().delayNanos(1));
        RestartStrategy fixed = RestartStrategy.fixedDelay(2, Duration.ofMillis(5));
        assertEquals(5_000_000, fixed.delayNanos(1));
        assertEquals(5_000_000, fixed.delayNanos(2));
        assertEquals(-1, fixed.delayNanos(3));
        RestartStrategy backoff = RestartStrategy.exponentialBackoff(5, Duration.ofMillis(100), Duration.ofMillis(350));
        assertEquals(100_000_000, backoff.delayNanos(1));
        assertEquals(200_000_000, backoff.delayNanos(2));
        assertEquals(350_000_000, backoff.delayNanos(3));
        assertEquals(350_000_000, backoff.delayNanos(5));
        assertEquals(-1, backoff.delayNanos(6));
        assertEquals("5 restarts, from PT0.1S doubling up to PT0.35S", backoff.toString());
    }

    @Test
    void badArgumentsAreNamed() {
        assertEquals("the number of restarts must be at least 0, not -1", assertThrows(IllegalArgumentException.class,
                () -> RestartStrategy.fixedDelay(-1, Duration.ZERO)).getMessage());
        assertEquals("the longest delay (PT0.001S) is shorter than the first (PT1S)", assertThrows(
                IllegalArgumentException.class, () -> RestartStrategy.exponentialBackoff(1, Duration.ofSeconds(1),
                        Duration.ofMillis(1))).getMessage());
        assertEquals("checkpoints are for streaming jobs: a batch job restarts from the start of its bounded input"
                + " (setRestartStrategy)", assertThrows(IllegalStateException.class,
                () -> Environment.batch().enableCheckpointing(Duration.ZERO, dir)).getMessage());
    }

    @Test
    void aSourceThatCannotRewindCannotCheckpoint() {
        Source once = new Source() {
            @Override
            public String name() {
                return "once";
            }

            @Override
            public BatchSchema schema() {
                return GeneratorSource.SCHEMA;
            }

            @Override
            public SourceReader createReader(TaskContext context) {
                throw new AssertionError("the job must fail before reading");
            }
        };
        Environment env = Environment.streaming().enableCheckpointing(Duration.ofSeconds(1), dir.resolve("ck"));
        env.fromSource(once).collect(new ArrayList<>());
        IllegalStateException e = assertThrows(IllegalStateException.class, env::execute);
        assertEquals("source 'once' cannot be rewound, so the job cannot checkpoint or restore: its readers"
                + " cannot say where they are", e.getMessage());
    }

    /**
     * A state write that does not finish within the timeout aborts the checkpoint; the job goes on. The
     * write of checkpoint 1 is held until it was aborted, so that one times out whatever the machine's
     * speed; the timeout is long enough for checkpoint 2 (a few keys) to complete on a saturated machine.
     */
    @Test
    void aCheckpointThatTimesOutIsAbortedAndTheJobGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FailureInjector slowDisk = new FailureInjector() {
            @Override
            public void beforeBatch(String operator, int subtask, int rows) {
            }

            @Override
            public void beforeStateWrite(long checkpointId, Path file) {
                if (checkpointId == 1) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        SourceGate gate = new SourceGate(slowDisk);
        Environment env = Environment.streaming().setParallelism(1).enableCheckpointing(Duration.ZERO, dir.resolve("t"))
                .setCheckpointTimeout(Duration.ofSeconds(2)).injectFailures(gate);
        List<Tuple> out = new ArrayList<>();
        env.fromSource(gate.wrap(new GeneratorSource(100_000, 10))).keyBy("key").sum("value").collect(out);
        gate.holdAt(50_000);
        JobHandle job = env.executeAsync("slow");
        gate.awaitHeld(job);
        ExecutionException e = assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get());
        assertEquals("checkpoint 1 aborted: timed out after 2000 ms", e.getCause().getMessage());
        assertEquals(new CheckpointFailures(1, Map.of(CheckpointFailureReason.TIMED_OUT, 1L),
                new CheckpointFailures.Last(1, CheckpointFailureReason.TIMED_OUT, "timed out after 2000 ms")),
                job.checkpointFailures());
        release.countDown();
        assertEquals(2L, SourceGate.checkpoint(job));
        // The aborted checkpoint's directory goes on the writer thread once its write is done, before checkpoint
        // 2's writes, which queue behind it.
        assertFalse(Files.exists(dir.resolve("t/chk-1")));
        assertTrue(Files.exists(dir.resolve("t/chk-2/_manifest")));
        gate.release();
        assertEquals(1, job.await().checkpoints());
        assertEquals(100_000, out.size());
    }

    /**
     * A state write that fails is counted with the reason its error gives: out of memory is a decline, an
     * I/O failure an I/O error (a full disk: {@link CheckpointDiskFullTest}); the next checkpoint completes.
     */
    @Test
    void aFailedStateWriteIsCountedWithTheReasonOfItsError() throws Exception {
        FailureInjector failingWrites = new FailureInjector() {
            @Override
            public void beforeBatch(String operator, int subtask, int rows) {
            }

            @Override
            public void beforeStateWrite(long checkpointId, Path file) throws IOException {
                if (checkpointId == 1) {
                    throw new OutOfMemoryError("test");
                }
                if (checkpointId == 2) {
                    throw new IOException("injected: the device is gone");
                }
            }
        };
        SourceGate gate = new SourceGate(failingWrites);
        Environment env = Environment.streaming().setParallelism(1).enableCheckpointing(Duration.ZERO, dir.resolve("w"))
                .injectFailures(gate);
        List<Tuple> out = new ArrayList<>();
        env.fromSource(gate.wrap(new GeneratorSource(100_000, 10))).keyBy("key").sum("value").collect(out);
        gate.holdAt(50_000);
        JobHandle job = env.executeAsync("failing-writes");
        gate.awaitHeld(job);
        String declined = assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get()).getCause()
                .getMessage();
        assertTrue(declined.startsWith("checkpoint 1 aborted: generate(100000 records, 10 keys) -> "
                + "keyBy(key).sum(value) -> collect [1/1] could not write its state to " + dir.resolve("w/chk-1")),
                declined);
        assertTrue(declined.endsWith(": out of memory (test)"), declined);
        String ioError = assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get()).getCause()
                .getMessage();
        assertTrue(ioError.endsWith(": injected: the device is gone"), ioError);
        assertEquals(new CheckpointFailures(2, Map.of(CheckpointFailureReason.DECLINED, 1L,
                CheckpointFailureReason.IO_ERROR, 1L), new CheckpointFailures.Last(2, CheckpointFailureReason.IO_ERROR,
                ioError.substring("checkpoint 2 aborted: ".length()))), job.checkpointFailures());
        assertEquals(3L, job.triggerCheckpoint().get());
        gate.release();
        JobResult result = job.await();
        assertEquals(2, result.checkpointFailures().count());
        assertEquals(100_000, out.size());
    }
}
