package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.riffle.engine.CheckpointFailures;
import io.riffle.engine.JobResult;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.checkpoint.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --from} in the CLI: a directory without a complete checkpoint yet starts the job from the
 * beginning (exit 0, {@code "restored_checkpoint":null}), so a supervisor can rerun the same command; one
 * with only damaged checkpoints fails naming them. The summary line reports the restored checkpoint and
 * every fallback.
 */
@Timeout(60)
class CliRestoreTest {
    private static final String[] JOB = {"run", "keyed-sum", "--records", "20000", "--keys", "50", "--parallelism", "2",
        "--checkpoint-interval", "0"};

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... extra) {
        String[] args = new String[JOB.length + extra.length];
        System.arraycopy(JOB, 0, args, 0, JOB.length);
        System.arraycopy(extra, 0, args, JOB.length, extra.length);
        return RiffleCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String lastLine() {
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void theSameCommandStartsFreshUntilTheDirectoryHoldsACheckpoint() {
        String checkpoints = dir.resolve("ckpt").toString();
        for (int time = 0; time < 2; time++) {
            assertEquals(0, run("--checkpoint-dir", checkpoints, "--from", checkpoints, "--allow-duplicates-on-fallback"),
                    err.toString(StandardCharsets.UTF_8));
            String json = lastLine();
            assertTrue(json.startsWith("{\"job\":\"keyed-sum\",\"records\":20000,\"keys\":50,\"output_records\":20000,"),
                    json);
            assertTrue(json.endsWith(",\"restored_checkpoint\":null,\"fallbacks\":[]}"), json);
            out.reset();
        }
    }

    @Test
    void onlyDamagedCheckpointsFailTheRunNamingThem() throws IOException {
        Path root = dir.resolve("damaged");
        CheckpointStorage storage = new CheckpointStorage(root, 3);
        Path checkpoint = storage.begin(4, false);
        storage.complete(checkpoint, new Manifest(4, false, 0, 128, "{0=generate}", List.of()));
        Files.write(checkpoint.resolve("_manifest"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
            16, 17, 18, 19, 20, 21});
        assertEquals(1, run("--from", root.toString()));
        String error = err.toString(StandardCharsets.UTF_8);
        assertTrue(error.contains("no checkpoint in " + root + " could be restored: " + checkpoint.resolve("_manifest")
                + ": fails its checksum\n"), error);
    }

    @Test
    void theSummaryNamesTheRestoredCheckpointAndEachFallback() {
        JobSummary summary = new JobSummary("keyed-sum", 10, 2, 10, 0.5, 2, 3, 1, 7, Path.of("ck/chk-1"),
                List.of(new JobResult.Fallback(Path.of("ck/chk-2"), "ck/chk-2/_manifest: \"fails\" its \\checksum",
                        Path.of("ck/chk-1"), false),
                        new JobResult.Fallback(Path.of("ck/chk-1"), "missing", null, true)), CheckpointFailures.NONE);
        assertEquals("{\"job\":\"keyed-sum\",\"records\":10,\"keys\":2,\"output_records\":10,\"seconds\":0.500000,"
                + "\"records_per_s\":20.0,\"parallelism\":2,\"checkpoints\":3,\"restarts\":1,\"recovery_ms\":7,"
                + "\"restored_checkpoint\":\"ck/chk-1\",\"fallbacks\":["
                + "{\"damaged\":\"ck/chk-2\",\"reason\":\"ck/chk-2/_manifest: \\\"fails\\\" its \\\\checksum\","
                + "\"restored\":\"ck/chk-1\",\"duplicates\":false},"
                + "{\"damaged\":\"ck/chk-1\",\"reason\":\"missing\",\"restored\":null,\"duplicates\":true}]}",
                summary.toJson());
    }
}
