package io.riffle.columnar.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.hash.ReferenceState.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot file that another process shrinks (or shrinks and regrows) after its header and index were
 * checked, while a restore reads it: the restore ends in a {@link CorruptTableFileException} naming the file,
 * with nothing left allocated. (Read through a mapping, the same file raised SIGBUS: an {@code InternalError},
 * or a crash of the JVM inside the CRC32C intrinsic.)
 */
class TruncatedSnapshotFileTest extends ArrowTest {
    private static final long BUDGET = 1L << 30;

    @TempDir
    Path dir;

    @Test
    void aFileTruncatedAfterItsChecksIsACorruptFileNamingIt() throws IOException {
        for (Keys keys : new Keys[] {Keys.DENSE_INT64, Keys.SPARSE_INT64, Keys.UTF8}) {
            Path file = written(keys);
            long size = Files.size(file);
            SnapshotFile opened = SnapshotFile.open(file, keys.spec(), 128, StateFileReader.CHUNK_BYTES);
            setLength(file, size / 2);
            CorruptTableFileException e = assertThrows(CorruptTableFileException.class,
                    () -> restore(keys, opened), keys.toString());
            assertEquals("snapshot file " + file + ": truncated while reading: " + size / 2 + " bytes where " + size
                    + " expected", e.getMessage(), keys.toString());
            assertEquals(0, allocator.getAllocatedMemory(), keys + ": nothing left allocated");
        }
    }

    @Test
    void aFileTruncatedAndRegrownAfterItsChecksFailsTheChecksumOfAKeyGroup() throws IOException {
        for (Keys keys : new Keys[] {Keys.DENSE_INT64, Keys.UTF8}) {
            Path file = written(keys);
            long size = Files.size(file);
            long firstSection = SnapshotFileDescriptor.sectionsOffset(keys.spec().aggregateCount(), 128);
            SnapshotFile opened = SnapshotFile.open(file, keys.spec(), 128, StateFileReader.CHUNK_BYTES);
            setLength(file, firstSection);
            setLength(file, size); // the sections read back as zeros
            CorruptTableFileException e = assertThrows(CorruptTableFileException.class,
                    () -> restore(keys, opened), keys.toString());
            assertEquals("snapshot file " + file + ": key group 0 fails its checksum", e.getMessage(), keys.toString());
            assertEquals(0, allocator.getAllocatedMemory(), keys + ": nothing left allocated");
        }
    }

    /**
     * A read that fails (as on a disk read error; here the path is a directory, whose reads fail with EISDIR)
     * is a corrupt file naming it, so that recovery moves on to the checkpoint before.
     */
    @Test
    void aFileThatCannotBeReadIsACorruptFileNamingIt() throws IOException {
        Path unreadable = Files.createDirectory(dir.resolve("unreadable.state"));
        CorruptTableFileException e = assertThrows(CorruptTableFileException.class,
                () -> OffHeapHashTable.restore(Keys.UTF8.spec(), allocator, BUDGET, List.of(unreadable),
                        KeyGroupRange.all(128)));
        assertEquals("snapshot file " + unreadable + ": cannot be read at byte 0: Is a directory", e.getMessage());
    }

    /** A snapshot of 20,000 groups of {@code keys}, at max parallelism 128. */
    private Path written(Keys keys) throws IOException {
        Path file = dir.resolve(keys + ".state");
        try (OffHeapHashTable table = new OffHeapHashTable(keys.spec(), allocator, BUDGET)) {
            new ReferenceState(keys).feed(table, allocator, new Random(11), 10, 4000, 0, 20_000);
            try (TableSnapshot snapshot = table.snapshot()) {
                snapshot.writeTo(file, 128);
            }
        }
        return file;
    }

    private OffHeapHashTable restore(Keys keys, SnapshotFile opened) throws IOException {
        try {
            return SnapshotFile.restore(keys.spec(), allocator, BUDGET, List.of(opened), 0, 128,
                    StateFileReader.CHUNK_BYTES);
        } finally {
            opened.close();
        }
    }

    private static void setLength(Path file, long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
    }
}
