package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file written under a hidden temporary name beside its target and renamed onto the target on
 * {@link #commit()}, so that readers see the whole file or none of it; {@link #close()} without a commit
 * deletes the temporary file. Single-threaded.
 */
final class StagedFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private boolean committed;

    private StagedFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /** Creates the temporary file for {@code target}, and the target's directory if it is missing. */
    static StagedFile create(Path target) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temp = directory.resolve("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new StagedFile(target, temp, channel);
    }

    /** Where to write the contents. */
    FileChannel channel() {
        return channel;
    }

    /** Forces the contents to disk and renames the temporary file onto the target, replacing what was there. */
    void commit() throws IOException {
        commitAs(target);
    }

    /** Like {@link #commit()}, onto {@code file} instead of the target (a name known only once the file is done). */
    void commitAs(Path file) throws IOException {
        channel.force(true);
        channel.close();
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
    }

    /** Closes the file after {@code failure}, adding to it any failure to delete the temporary file. */
    void discard(Exception failure) {
        try {
            close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Deletes the temporary file unless it was committed. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }
}
