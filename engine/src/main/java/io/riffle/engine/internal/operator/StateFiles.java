package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;

/** Reading the small state files that operators parse on the heap (reduce, stream join, window index). */
final class StateFiles {
    private StateFiles() {
    }

    /**
     * The bytes of {@code file}, read into the heap (never mapped, so a file another process cuts short
     * only reads short, which the caller's checks catch). A missing or unreadable file (a disk read error)
     * is a {@link CorruptCheckpointException} naming it, so that recovery moves on to the checkpoint before.
     */
    static byte[] readAll(Path file, String what) throws CorruptCheckpointException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorruptCheckpointException(file + ": the " + what + " file is missing");
        } catch (IOException e) {
            throw new CorruptCheckpointException(file + ": the " + what + " file cannot be read: " + e.getMessage(),
                    e);
        }
    }
}
