package io.riffle.engine.internal.operator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A state file that is missing or cannot be read is a damaged checkpoint naming it, which recovery passes over. */
class StateFilesTest {
    @TempDir
    Path dir;

    @Test
    void aMissingOrUnreadableStateFileIsACorruptCheckpointNamingIt() throws IOException {
        Path file = Files.write(dir.resolve("1-0.state"), new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, StateFiles.readAll(file, "reduce state"));
        Path missing = dir.resolve("2-0.state");
        assertEquals(missing + ": the reduce state file is missing",
                assertThrows(CorruptCheckpointException.class, () -> StateFiles.readAll(missing, "reduce state"))
                        .getMessage());
        // A read that fails, as on a disk read error: a directory's reads fail with EISDIR.
        Path unreadable = Files.createDirectory(dir.resolve("3-0.state"));
        assertEquals(unreadable + ": the join state file cannot be read: Is a directory",
                assertThrows(CorruptCheckpointException.class, () -> StateFiles.readAll(unreadable, "join state"))
                        .getMessage());
    }
}
