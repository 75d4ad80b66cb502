package io.riffle.engine.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Manifests forged with a valid checksum: every count, length, kind, index and name in them is checked
 * against the bytes that are really there and the directory the checkpoint is in, so a forged file gives
 * a {@link CorruptCheckpointException} naming it, never an OutOfMemoryError or a path outside.
 */
class ManifestValidationTest {
    @TempDir
    Path root;
    private Path checkpoint;
    private Path manifest;
    private Path outside;
    private static final byte[] OUTSIDE = {1, 2, 3, 4};

    @BeforeEach
    void checkpointBesideAFileOfSomeoneElse() throws IOException {
        checkpoint = Files.createDirectories(root.resolve("ckpt/chk-1"));
        manifest = checkpoint.resolve(Manifest.FILE_NAME);
        outside = Files.write(root.resolve("ckpt/outside.state"), OUTSIDE);
    }

    /** Writes a manifest of the given header fields and raw entry bytes, with a correct checksum. */
    private void forge(int maxParallelism, int count, EntryBytes entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(ManifestFormat.MAGIC);
        out.writeInt(ManifestFormat.VERSION);
        out.writeLong(1);
        out.writeBoolean(false);
        out.writeLong(1000);
        out.writeInt(maxParallelism);
        out.writeUTF("{0=source}");
        out.writeInt(count);
        entries.write(out);
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        Files.write(manifest, bytes.toByteArray());
    }

    private interface EntryBytes {
        void write(DataOutputStream out) throws IOException;
    }

    private static EntryBytes stateFile(int operator, int subtask, String name, long size) {
        return out -> {
            out.writeByte(Manifest.Kind.STATE_FILE.ordinal());
            out.writeInt(operator);
            out.writeInt(subtask);
            out.writeUTF(name);
            out.writeLong(size);
        };
    }

    private static EntryBytes bytesEntry(Manifest.Kind kind, int operator, int subtask, int length, byte[] bytes) {
        return out -> {
            out.writeByte(kind.ordinal());
            out.writeInt(operator);
            out.writeInt(subtask);
            out.writeInt(length);
            out.write(bytes);
        };
    }

    private String loadFails() {
        return assertThrows(CorruptCheckpointException.class, () -> CheckpointStorage.load(checkpoint)).getMessage();
    }

    @Test
    void aForgedEntryCountIsBoundedByTheBytesThatFollow() throws IOException {
        forge(128, Integer.MAX_VALUE, out -> { });
        assertEquals(manifest + ": claims 2147483647 entries, but only 0 bytes follow", loadFails());
        forge(128, -1, out -> { });
        assertEquals(manifest + ": claims -1 entries, but only 0 bytes follow", loadFails());
    }

    @Test
    void aForgedByteLengthIsBoundedByTheBytesThatFollow() throws IOException {
        forge(128, 1, bytesEntry(Manifest.Kind.COMMITTABLE, 5, 0, Integer.MAX_VALUE, new byte[] {7}));
        assertEquals(manifest + ": entry 0 (committable of operator 5, subtask 0) claims 2147483647 bytes, but only 1"
                + " follow", loadFails());
        forge(128, 1, bytesEntry(Manifest.Kind.POSITION, 0, 0, -8, new byte[0]));
        assertEquals(manifest + ": entry 0 (position of operator 0, subtask 0) claims -8 bytes, but only 0 follow",
                loadFails());
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 9, 127, -1})
    void anUnknownKindIsNamed(int kind) throws IOException {
        forge(128, 1, out -> {
            out.writeByte(kind);
            out.writeInt(0);
            out.writeInt(0);
            out.writeInt(0);
        });
        assertEquals(manifest + ": entry 0 has an unknown kind (" + (kind & 0xFF) + ")", loadFails());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../outside.state", "a/../../outside.state", "sub/3-0.state", "..", ".", "",
        "3-0.state\0", "back\\slash.state"})
    void aStateFileMustBeAPlainNameInsideTheCheckpoint(String name) throws IOException {
        forge(128, 1, stateFile(3, 0, name, OUTSIDE.length));
        assertEquals(manifest + ": entry 0 (state file of operator 3, subtask 0): '" + name + "' is not a plain file"
                + " name inside the checkpoint directory", loadFails());
        assertArrayEquals(OUTSIDE, Files.readAllBytes(outside));
    }

    @Test
    void anAbsoluteStateFileNameIsRefused() throws IOException {
        forge(128, 1, stateFile(3, 0, outside.toString(), OUTSIDE.length));
        assertEquals(manifest + ": entry 0 (state file of operator 3, subtask 0): '" + outside + "' is not a plain"
                + " file name inside the checkpoint directory", loadFails());
        assertArrayEquals(OUTSIDE, Files.readAllBytes(outside));
    }

    @Test
    void aNegativeSizeIsRefusedEvenForAMissingFile() throws IOException {
        forge(128, 1, stateFile(3, 0, "3-0.state", -1));
        assertEquals(manifest + ": entry 0 (state file of operator 3, subtask 0): '3-0.state' has a negative size (-1)",
                loadFails());
    }

    @Test
    void operatorsAndSubtasksMustBeInRange() throws IOException {
        forge(128, 1, bytesEntry(Manifest.Kind.POSITION, -3, 0, 1, new byte[] {1}));
        assertEquals(manifest + ": entry 0 (position of operator -3, subtask 0): the operator id is negative",
                loadFails());
        forge(128, 1, bytesEntry(Manifest.Kind.POSITION, 0, -1, 1, new byte[] {1}));
        assertEquals(manifest + ": entry 0 (position of operator 0, subtask -1): the subtask is outside 0..32767",
                loadFails());
        forge(128, 1, bytesEntry(Manifest.Kind.POSITION, 0, 32768, 1, new byte[] {1}));
        assertEquals(manifest + ": entry 0 (position of operator 0, subtask 32768): the subtask is outside 0..32767",
                loadFails());
        forge(0, 0, out -> { });
        assertEquals(manifest + ": max parallelism 0 is outside 1..32768", loadFails());
    }

    @Test
    void aFinishedMarkHoldsAParallelismTheSubtaskFits() throws IOException {
        forge(128, 1, bytesEntry(Manifest.Kind.FINISHED, 2, 0, 3, new byte[] {0, 0, 1}));
        assertEquals(manifest + ": entry 0 (finished of operator 2, subtask 0): a finished mark of 3 bytes, not 4",
                loadFails());
        forge(128, 1, bytesEntry(Manifest.Kind.FINISHED, 2, 4, 4, new byte[] {0, 0, 0, 4}));
        assertEquals(manifest + ": entry 0 (finished of operator 2, subtask 4): subtask 4 of a parallelism of 4",
                loadFails());
    }

    @Test
    void bytesAfterTheLastEntryAreDamage() throws IOException {
        forge(128, 1, out -> {
            bytesEntry(Manifest.Kind.POSITION, 0, 0, 1, new byte[] {1}).write(out);
            out.write(new byte[] {1, 2, 3});
        });
        assertEquals(manifest + ": 3 bytes follow the last entry", loadFails());
    }

    @Test
    void aManifestThatEndsInsideAnEntryIsNamed() throws IOException {
        forge(128, 1, out -> {
            out.writeByte(Manifest.Kind.STATE_FILE.ordinal());
            out.writeInt(3);
            out.writeInt(0);
            out.writeShort(200);
            out.write(new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'});
        });
        assertEquals(manifest + ": ends inside entry 0", loadFails());
    }

    @Test
    void aManifestLargerThanAnyRiffleWritesIsNotRead() throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(manifest.toFile(), "rw")) {
            file.setLength(ManifestFormat.MAX_BYTES + 1);
        }
        assertEquals(manifest + ": " + (ManifestFormat.MAX_BYTES + 1) + " bytes, more than a manifest may hold ("
                + ManifestFormat.MAX_BYTES + ")", loadFails());
    }
}
