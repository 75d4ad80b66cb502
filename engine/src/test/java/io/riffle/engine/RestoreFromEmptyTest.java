package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.checkpoint.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code restoreFrom(dir)} where {@code dir} holds no complete checkpoint yet (empty, not there, only
 * checkpoints that never completed) starts the job from the beginning and says so, so a supervisor can
 * run the same command until the job is done. Where the only complete checkpoints are damaged, or a named
 * checkpoint is damaged or incomplete, it stays an error: starting over would silently lose their state.
 */
@Timeout(60)
class RestoreFromEmptyTest {
    private static final long RECORDS = 1_000;

    @TempDir
    Path dir;

    private JobResult runFrom(Path from) {
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(100)
                .enableCheckpointing(Duration.ZERO, dir.resolve("ckpt")).restoreFrom(from);
        List<Tuple> out = new ArrayList<>();
        env.generate(RECORDS, 10).keyBy("key").sum("value").collect(out);
        try (RecoveryLog log = new RecoveryLog()) {
            JobResult result = env.execute("supervised");
            assertEquals(List.of("INFO job 'supervised': no complete checkpoint in " + from + " yet, so it starts from"
                    + " the beginning"), log.lines());
            assertEquals(RECORDS, out.size(), "every record, from the start");
            assertNull(result.restoredCheckpoint());
            assertEquals(List.of(), result.fallbacks());
            return result;
        }
    }

    @Test
    void anEmptyDirectoryStartsTheJobFromTheBeginning() throws IOException {
        runFrom(Files.createDirectories(dir.resolve("empty")));
    }

    @Test
    void aDirectoryNotMadeYetStartsTheJobFromTheBeginning() {
        runFrom(dir.resolve("missing"));
        assertFalse(Files.exists(dir.resolve("missing")), "restoring creates nothing");
    }

    @Test
    void checkpointsThatNeverCompletedStartTheJobFromTheBeginning() throws IOException {
        Path partial = dir.resolve("partial");
        Files.write(Files.createDirectories(partial.resolve("chk-3")).resolve("1-0.state"), new byte[] {1, 2, 3});
        Files.write(Files.createDirectories(partial.resolve("chk-4")).resolve("_manifest.tmp"), new byte[] {1});
        runFrom(partial);
    }

    /** The supervisor's loop: the same command, with the job's own checkpoint directory, twice. */
    @Test
    void theSameCommandRunsAgainAndAgain() {
        runFrom(dir.resolve("ckpt"));
        runFrom(dir.resolve("ckpt"));
    }

    /** A complete checkpoint whose manifest fails its checksum. */
    private Path damagedCheckpoint(Path root, long id) throws IOException {
        CheckpointStorage storage = new CheckpointStorage(root, 5);
        Path checkpoint = storage.begin(id, false);
        storage.complete(checkpoint, new Manifest(id, false, 0, 128, "{0=generate}", List.of()));
        byte[] manifest = Files.readAllBytes(checkpoint.resolve(Manifest.FILE_NAME));
        manifest[manifest.length / 2] ^= 1;
        Files.write(checkpoint.resolve(Manifest.FILE_NAME), manifest);
        return checkpoint;
    }

    private String startFails(Path from) {
        Environment env = Environment.streaming().setParallelism(2).restoreFrom(from);
        env.generate(RECORDS, 10).keyBy("key").sum("value").collect(new ArrayList<>());
        return assertThrows(IllegalArgumentException.class, env::execute).getMessage();
    }

    @Test
    void onlyDamagedCompleteCheckpointsAreAnErrorNamingThem() throws IOException {
        Path root = dir.resolve("damaged");
        Path older = damagedCheckpoint(root, 1);
        Path newer = damagedCheckpoint(root, 2);
        Files.createDirectories(root.resolve("chk-3"));
        assertEquals("no checkpoint in " + root + " could be restored: " + newer.resolve("_manifest") + ": fails its"
                + " checksum; " + older.resolve("_manifest") + ": fails its checksum", startFails(root));
    }

    @Test
    void aNamedCheckpointMustBeCompleteAndIntact() throws IOException {
        Path damaged = damagedCheckpoint(dir.resolve("named"), 1);
        assertEquals(damaged.resolve("_manifest") + ": fails its checksum", startFails(damaged));
        Path incomplete = Files.createDirectories(dir.resolve("named/chk-2"));
        assertEquals(incomplete + " is not a complete checkpoint: it has no _manifest", startFails(incomplete));
        assertEquals(dir.resolve("named/chk-9") + " does not exist", startFails(dir.resolve("named/chk-9")));
    }
}
