package io.riffle.engine.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStorageTest {
    @TempDir
    Path root;

    private Path checkpoint(CheckpointStorage storage, long id, boolean savepoint) throws IOException {
        Path dir = storage.begin(id, savepoint);
        Files.write(dir.resolve("3-0.state"), new byte[] {1, 2, 3, 4});
        storage.complete(dir, new Manifest(id, savepoint, 1000 + id, 128, "{0=generate}", List.of(
                Manifest.Entry.position(0, 0, new byte[] {9, 8}),
                Manifest.Entry.stateFile(3, 0, "3-0.state", 4),
                Manifest.Entry.committable(5, 1, new byte[] {7}))));
        return dir;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> list = Files.list(root)) {
            List<String> out = new ArrayList<>();
            list.forEach(p -> out.add(p.getFileName().toString()));
            out.sort(null);
            return out;
        }
    }

    @Test
    void aCompleteCheckpointReadsBackEntryForEntry() throws IOException {
        CheckpointStorage storage = new CheckpointStorage(root, 3);
        Path dir = checkpoint(storage, 4, false);
        RestoredCheckpoint back = CheckpointStorage.load(dir);
        assertEquals(4, back.id());
        Manifest m = back.manifest();
        assertEquals("{0=generate}", m.planFingerprint());
        assertEquals(128, m.maxParallelism());
        assertArrayEquals(new byte[] {9, 8}, m.of(Manifest.Kind.POSITION, 0).get(0).bytes());
        assertEquals("3-0.state", m.of(Manifest.Kind.STATE_FILE, 3).get(0).file());
        assertArrayEquals(new byte[] {7}, m.of(Manifest.Kind.COMMITTABLE, 5).get(0).bytes());
        assertEquals(List.of("3-0.state", "_manifest"), listOf(dir));
        assertEquals(5, storage.nextId());
    }

    @Test
    void theNewestRetainedAreKeptAndSavepointsAreNot() throws IOException {
        CheckpointStorage storage = new CheckpointStorage(root, 2);
        checkpoint(storage, 1, false);
        checkpoint(storage, 2, true);
        storage.begin(3, false);  // never completed: a crash before its manifest
        checkpoint(storage, 4, false);
        checkpoint(storage, 5, false);
        assertEquals(List.of("chk-4", "chk-5", "savepoint-2"), names());
        CheckpointStorage.Listing listing = storage.list();
        List<Long> ids = new ArrayList<>();
        for (RestoredCheckpoint c : listing.complete()) {
            ids.add(c.id());
        }
        assertEquals(List.of(5L, 4L, 2L), ids);
        assertEquals(List.of(), listing.damaged());
    }

    @Test
    void damagedCheckpointsAreNamedAndPassedOver() throws IOException {
        CheckpointStorage storage = new CheckpointStorage(root, 10);
        checkpoint(storage, 1, false);
        Path flipped = checkpoint(storage, 2, false);
        Path truncated = checkpoint(storage, 3, false);
        Path shortState = checkpoint(storage, 4, false);
        Path missingState = checkpoint(storage, 5, false);
        Path foreign = checkpoint(storage, 6, false);

        byte[] manifest = Files.readAllBytes(flipped.resolve("_manifest"));
        manifest[20] ^= 0x40;
        Files.write(flipped.resolve("_manifest"), manifest);
        byte[] whole = Files.readAllBytes(truncated.resolve("_manifest"));
        Files.write(truncated.resolve("_manifest"), Arrays.copyOf(whole, 10));
        Files.write(shortState.resolve("3-0.state"), new byte[] {1, 2});
        Files.delete(missingState.resolve("3-0.state"));
        Files.writeString(foreign.resolve("_manifest"), "not a manifest at all, but long enough to be read");

        CheckpointStorage.Listing listing = storage.list();
        assertEquals(1, listing.complete().size());
        assertEquals(1, listing.complete().get(0).id());
        assertEquals(6, listing.newestId());
        List<String> skipped = new ArrayList<>();
        for (DamagedCheckpoint d : listing.damaged()) {
            skipped.add(d.reason());
        }
        assertEquals(List.of(
                foreign.resolve("_manifest") + ": fails its checksum",
                missingState.resolve("3-0.state") + ": missing",
                shortState.resolve("3-0.state") + ": 2 bytes, the manifest says 4",
                truncated.resolve("_manifest") + ": truncated (10 bytes)",
                flipped.resolve("_manifest") + ": fails its checksum"), skipped);
    }

    @Test
    void aDirectoryWithoutManifestIsNotACheckpoint() throws IOException {
        CheckpointStorage storage = new CheckpointStorage(root, 1);
        Path dir = storage.begin(1, false);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> CheckpointStorage.load(dir));
        assertEquals(dir + " is not a complete checkpoint: it has no _manifest", e.getMessage());
        Path file = Files.writeString(root.resolve("plain"), "x");
        IllegalArgumentException notDir = assertThrows(IllegalArgumentException.class, () -> new CheckpointStorage(file, 1));
        assertEquals("checkpoint directory " + file + " is a file", notDir.getMessage());
        assertTrue(Files.isDirectory(dir));
    }

    private static List<String> listOf(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            List<String> out = new ArrayList<>();
            list.forEach(p -> out.add(p.getFileName().toString()));
            out.sort(null);
            return out;
        }
    }

    @Test
    void oneJobAtATimeHoldsTheDirectory() throws Exception {
        CheckpointStorage storage = new CheckpointStorage(root.resolve("jobs"), 2);
        AutoCloseable first = storage.lock();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new CheckpointStorage(root.resolve("jobs"), 3).lock());
        assertEquals("checkpoint directory " + root.resolve("jobs") + " is in use by another running job ("
                + root.resolve("jobs/_lock") + " is locked)", e.getMessage());
        first.close();
        storage.lock().close();
        checkpoint(storage, 1, false);
        assertEquals(List.of(1L), ids(storage));
    }

    private static List<Long> ids(CheckpointStorage storage) throws IOException {
        List<Long> out = new ArrayList<>();
        for (RestoredCheckpoint c : storage.list().complete()) {
            out.add(c.id());
        }
        return out;
    }
}
