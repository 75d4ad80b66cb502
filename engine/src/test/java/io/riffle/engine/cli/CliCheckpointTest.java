package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;

import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.engine.JobHandle;
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
