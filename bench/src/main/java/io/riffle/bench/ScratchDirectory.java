package io.riffle.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(path)) {
            // Deepest first, so each directory is empty by the time it is deleted.
            files.sorted(Comparator.reverseOrder()).forEach(ScratchDirectory::delete);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
