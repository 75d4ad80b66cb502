package io.riffle.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A fresh directory for one run's scratch files (checkpoints), deleted with everything in it on
 * {@link #close()}.
 *
 * <pre>{@code
 * try (ScratchDirectory checkpoints = ScratchDirectory.create(parent, "riffle-l1-")) {
 *     env.enableCheckpointing(interval, checkpoints.path());
 *     ...
 * }
 * }</pre>
 */
public final class ScratchDirectory implements AutoCloseable {
    private final Path path;

    private ScratchDirectory(Path path) {
        this.path = path;
    }

    /** A new directory in {@code parent} whose name starts with {@code prefix}. */
    public static ScratchDirectory create(Path parent, String prefix) throws IOException {
        return new ScratchDirectory(Files.createTempDirectory(parent, prefix));
    }

    public Path path() {
        return path;
    }

    /**
     * Deletes the tree. A system may still be tidying its own files in it (Flink subsumes old checkpoints
     * asynchronously, even after its job ended): files that vanish under the walk are skipped, and a tree
     * that gained files while it was deleted is walked again.
     */
    @Override
    public void close() throws IOException {
        for (int attempt = 1; Files.exists(path); attempt++) {
            if (attempt > MAX_ATTEMPTS) {
                throw new IOException("could not delete " + path + ": files keep appearing in it");
            }
            try (Stream<Path> files = Files.walk(path)) {
                // Deepest first, so each directory is empty by the time it is deleted.
                files.sorted(Comparator.reverseOrder()).forEach(ScratchDirectory::delete);
            } catch (NoSuchFileException e) {
                return;
            } catch (UncheckedIOException e) {
                boolean raced = e.getCause() instanceof NoSuchFileException
                        || e.getCause() instanceof DirectoryNotEmptyException;
                if (!raced) {
                    throw e.getCause();
                }
            }
        }
    }

    private static final int MAX_ATTEMPTS = 5;

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
