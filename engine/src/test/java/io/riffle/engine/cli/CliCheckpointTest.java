package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.engine.JobHandle;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.connector.TwoPhaseCommitWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code riffle checkpoint DIR}: an on-demand checkpoint of the job running with that checkpoint directory. */
@Timeout(60)
class CliCheckpointTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return RiffleCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aRunningJobTakesTheRequestedCheckpointAndSavepoint() {
        Path checkpoints = dir.resolve("ck");
        Environment env = Environment.streaming().setParallelism(2)
                .enableCheckpointing(Duration.ZERO, checkpoints);
        env.generate(Long.MAX_VALUE, 100, 100_000).keyBy("key").sum("value").collect(new ArrayList<>());
        JobHandle job = env.executeAsync("endless");
        try {
            assertEquals(0, run("checkpoint", checkpoints.toString(), "--savepoint"), err.toString());
            assertEquals(checkpoints.resolve("savepoint-1") + "\n", out.toString(StandardCharsets.UTF_8));
            assertTrue(Files.exists(checkpoints.resolve("savepoint-1/_manifest")));
            assertEquals(0, run("checkpoint", checkpoints.toString()), err.toString());
            assertEquals(checkpoints.resolve("chk-2") + "\n", out.toString(StandardCharsets.UTF_8));
            assertTrue(Files.exists(checkpoints.resolve("chk-2/_manifest")));
            assertEquals(2, job.completedCheckpoints());
        } finally {
            job.cancel();
            assertThrows(JobFailedException.class, job::await);
        }
    }

    /**
     * The test holds checkpoint 1 at the sink's barrier, asks for a savepoint from the command line, waits
     * until the job has taken the request, and only then lets checkpoint 1 complete: the savepoint, queued
     * behind it, is taken next.
     */
    @Test
    void aSavepointRequestedWhileACheckpointIsInFlightWaitsForItAndIsTakenNext() throws Exception {
        Path checkpoints = dir.resolve("ck");
        HeldBarrierSink sink = new HeldBarrierSink();
        Environment env = Environment.streaming().setParallelism(1).enableCheckpointing(Duration.ZERO, checkpoints);
        env.generate(Long.MAX_VALUE, 100, 100_000).addSink(sink);
        JobHandle job = env.executeAsync("held");
        try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
            checkpoints.register(watcher, StandardWatchEventKinds.ENTRY_DELETE);
            CompletableFuture<Long> held = job.triggerCheckpoint();
            sink.barrierReached.await();
            CompletableFuture<Integer> savepoint = CompletableFuture.supplyAsync(
                    () -> run("checkpoint", checkpoints.toString(), "--savepoint"));
            awaitRequestTaken(watcher);
            sink.release.countDown();
            assertEquals(1L, held.get());
            assertEquals(0, savepoint.get(), err.toString(StandardCharsets.UTF_8));
            assertEquals(checkpoints.resolve("savepoint-2") + "\n", out.toString(StandardCharsets.UTF_8));
            assertTrue(Files.exists(checkpoints.resolve("savepoint-2/_manifest")));
        } finally {
            sink.release.countDown();
            job.cancel();
            assertThrows(JobFailedException.class, job::await);
        }
    }

    /** Waits until the job deleted a request file, which it does once it has queued the request's checkpoint. */
    private static void awaitRequestTaken(WatchService watcher) throws InterruptedException {
        while (true) {
            WatchKey key = watcher.take();
            for (WatchEvent<?> event : key.pollEvents()) {
                String name = event.context().toString();
                if (name.startsWith("_request-") && !name.endsWith(".tmp")) {
                    return;
                }
            }
            key.reset();
        }
    }

    /** A sink that holds the first checkpoint barrier until {@link #release} is counted down. */
    private static final class HeldBarrierSink implements TwoPhaseCommitSink {
        final CountDownLatch barrierReached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "held";
        }

        @Override
        public SinkWriter createWriter(BatchSchema schema, TaskContext context) {
            return new TwoPhaseCommitWriter() {
                @Override
                public byte[] prepareCommit(long checkpointId) throws InterruptedException {
                    barrierReached.countDown();
                    release.await();
                    return null;
                }

                @Override
                public void write(RecordBatch batch) {
                }

                @Override
                public void finish() {
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void commit(List<byte[]> committables) {
        }

        @Override
        public void abortUncommitted() {
        }
    }

    @Test
    void withoutARunningJobTheRequestFailsAtOnce() throws Exception {
        Files.createDirectories(dir.resolve("idle"));
        assertEquals(1, run("checkpoint", dir.resolve("idle").toString()));
        assertEquals("checkpoint failed: no running job checkpoints into " + dir.resolve("idle") + "\n",
                err.toString(StandardCharsets.UTF_8));
        assertEquals(1, run("checkpoint", dir.resolve("missing").toString(), "--savepoint"));
        assertEquals("savepoint failed: " + dir.resolve("missing") + " is not a checkpoint directory\n",
                err.toString(StandardCharsets.UTF_8));
        assertEquals(2, run("checkpoint", dir.resolve("idle").toString(), "--timeout", "0"));
        try (var files = Files.list(dir.resolve("idle"))) {
            assertEquals(1, files.count(), "only the lock file is left");
        }
    }
}
