package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A file written under a hidden temporary name beside its target ({@code .<target>.<hex>.tmp}) and renamed
 * onto the target on {@link #commit()}, so that readers see the whole file or none of it; {@link #close()}
 * without a commit deletes the temporary file unless it was {@linkplain #keep() kept}. A kept file can be
 * {@linkplain #resume resumed} by a later writer at a length it recorded. Single-threaded.
 */
final class StagedFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private boolean committed;
    private boolean kept;

    private StagedFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /** Creates the temporary file for {@code target}, and the target's directory if it is missing. */
    static StagedFile create(Path target) throws IOException {
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temp = directory.resolve(tempPrefix(target) + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new StagedFile(target, temp, channel);
    }

    /**
     * Reopens the kept temporary file {@code tempName} of {@code target}, cut back to {@code length} bytes,
     * to append to it; fails if it is missing or shorter than {@code length}.
     */
    static StagedFile resume(Path target, String tempName, long length) throws IOException {
        Path temp = target.toAbsolutePath().getParent().resolve(tempName);
        FileChannel channel;
        try {
            channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new IOException(temp + " is missing, so the rows it held up to the restored checkpoint are lost");
        }
        try {
            long size = channel.size();
            if (size < length) {
                throw new IOException(temp + " holds " + size + " bytes but the restored checkpoint recorded " + length
                        + ", so rows it held are lost");
            }
            channel.truncate(length);
            channel.position(length);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new StagedFile(target, temp, channel);
    }

    /** The start of every temporary file name of {@code target}: {@code .<target>.}. */
    static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /** The temporary file names of targets whose names match {@code targetName} (a regular expression). */
    static Pattern tempNames(String targetName) {
        return Pattern.compile("\\." + targetName + "\\.[0-9a-f]{1,16}\\.tmp");
    }

    /** Where to write the contents. */
    FileChannel channel() {
        return channel;
    }

    /** The temporary file's name (without its directory). */
    String tempName() {
        return temp.getFileName().toString();
    }

    /** Forces what was written to disk and returns the file's length. */
    long sync() throws IOException {
        channel.force(true);
        return channel.position();
    }

    /** From now on {@link #close()} leaves the temporary file for a later writer to resume or a cleanup to delete. */
    void keep() {
        kept = true;
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

    /** Deletes the temporary file unless it was committed or kept. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            try {
                channel.close();
            } finally {
                if (!kept) {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }
}
