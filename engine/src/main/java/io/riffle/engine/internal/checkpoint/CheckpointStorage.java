package io.riffle.engine.internal.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checkpoint directory: {@code chk-<n>/} per checkpoint and {@code savepoint-<n>/} per savepoint, each
 * with its state files and, once complete, its {@code _manifest}. Completion writes the manifest to a
 * temporary file, syncs it and renames it into place (then syncs the directory), so a crash leaves either
 * a complete checkpoint or one without a manifest, which restore passes over. The newest {@code retained}
 * complete checkpoints are kept; savepoints are kept until deleted by hand.
 */
public final class CheckpointStorage {
    private static final String CHECKPOINT = "chk-";
    private static final String SAVEPOINT = "savepoint-";
    private static final String LOCK_FILE = "_lock";
    /** The byte of {@code _lock} a running job holds locked. */
    static final long JOB_BYTE = 0;
    /** The byte of {@code _lock} held while one looks at the job byte ({@link #lock}). */
    static final long PROBE_BYTE = 1;
    /**
     * The {@code _lock} files a job of this JVM holds: the OS does not tell one process's locks apart (a
     * second lock attempt would only throw) and closing any channel to a file releases all of them, so this
     * JVM looks here first and opens no second channel to a file it holds. Guarded by itself.
     */
    private static final Set<Path> HELD = new HashSet<>();

    private final Path root;
    private final int retained;

    public CheckpointStorage(Path root, int retained) {
        if (retained < 1) {
            throw new IllegalArgumentException("at least 1 checkpoint must be retained, not " + retained);
        }
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new IllegalArgumentException("checkpoint directory " + root + " is a file");
        }
        this.root = root;
        this.retained = retained;
    }

    public Path root() {
        return root;
    }

    /**
     * Takes the directory for one job until the returned lock is closed: two jobs writing checkpoints into
     * one directory would number, prune and commit over each other. The lock is an OS file lock on byte
     * {@value #JOB_BYTE} of {@code _lock}, so a process that dies releases it. Whoever looks at that byte
     * (a job starting, {@link #inUse}) holds byte {@value #PROBE_BYTE} meanwhile, waiting for it: a job
     * starting while {@code riffle checkpoint} checks the directory waits that instant out instead of taking
     * the check for a running job.
     */
    public AutoCloseable lock() throws IOException {
        synchronized (HELD) {
            Path file = lockFile();
            FileChannel channel = HELD.contains(file) ? null : takeJobByte(file);
            if (channel == null) {
                throw new IllegalStateException("checkpoint directory " + root + " is in use by another running job ("
                        + root.resolve(LOCK_FILE) + " is locked)");
            }
            HELD.add(file);
            return () -> release(file, channel);
        }
    }

    /** Whether a running job holds the directory; never in the way of a job that starts meanwhile. */
    public boolean inUse() throws IOException {
        synchronized (HELD) {
            Path file = lockFile();
            if (HELD.contains(file)) {
                return true;
            }
            FileChannel channel = takeJobByte(file);
            if (channel == null) {
                return true;
            }
            channel.close();
            return false;
        }
    }

    /** {@code _lock} by its real path, the key of {@link #HELD}; creates the directory, not the file. */
    private Path lockFile() throws IOException {
        Files.createDirectories(root);
        return root.toRealPath().resolve(LOCK_FILE);
    }

    /**
     * Opens {@code file} and locks its job byte, holding the probe byte while it tries; null when another
     * process's job holds the job byte. Only under {@link #HELD} and for a file this JVM holds no lock on:
     * closing a channel releases every lock the process has on the file, through any channel.
     */
    private static FileChannel takeJobByte(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock job;
        try (FileLock probe = channel.lock(PROBE_BYTE, 1, false)) {
            job = channel.tryLock(JOB_BYTE, 1, false);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (job == null) {
            channel.close();
            return null;
        }
        return channel;
    }

    /** Releases a lock {@link #lock} took; once only, so that a second close cannot drop a later job's entry. */
    private static void release(Path file, FileChannel channel) throws IOException {
        synchronized (HELD) {
            if (channel.isOpen()) {
                HELD.remove(file);
                channel.close();
            }
        }
    }

    /** Creates the directory checkpoint {@code id} writes its state files into. */
    public Path begin(long id, boolean savepoint) throws IOException {
        Path dir = root.resolve((savepoint ? SAVEPOINT : CHECKPOINT) + id);
        Files.createDirectories(dir);
        return dir;
    }

    /** Makes the checkpoint complete by writing its manifest atomically, then drops the oldest beyond the retained. */
    public void complete(Path dir, Manifest manifest) throws IOException {
        Path tmp = dir.resolve(ManifestFormat.TEMP_FILE_NAME);
        byte[] encoded = ManifestFormat.write(manifest);
        if (encoded.length > ManifestFormat.MAX_BYTES) {
            throw new IOException("its manifest would take " + encoded.length + " bytes, more than a manifest may hold ("
                    + ManifestFormat.MAX_BYTES + ")");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer data = ByteBuffer.wrap(encoded);
            while (data.hasRemaining()) {
                ch.write(data);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(Manifest.FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + dir + " cannot rename atomically", e);
        }
        syncDirectory(dir);
        prune(manifest.checkpointId());
    }

    /** Deletes an aborted checkpoint's directory. */
    public void abort(Path dir) {
        deleteQuietly(dir);
    }

    /** One more than the highest checkpoint or savepoint number in the directory (1 when empty). */
    public long nextId() throws IOException {
        long max = 0;
        for (Path p : directories()) {
            max = Math.max(max, idOf(p));
        }
        return max + 1;
    }

    /**
     * What the directory holds for a restore: the complete checkpoints and savepoints that pass their
     * checks (manifest, every state file present with its size), newest first, and those with a manifest
     * that do not, newest first. A checkpoint without a manifest is in neither: it never completed.
     */
    public record Listing(List<RestoredCheckpoint> complete, List<DamagedCheckpoint> damaged) {
        /** The highest id with a manifest, damaged or not; 0 when there is none. */
        public long newestId() {
            long newest = complete.isEmpty() ? 0 : complete.get(0).id();
            return damaged.isEmpty() ? newest : Math.max(newest, damaged.get(0).id());
        }
    }

    /** Reads and checks every checkpoint and savepoint in the directory that has a manifest. */
    public Listing list() throws IOException {
        List<Path> dirs = directories();
        dirs.sort(Comparator.comparingLong(CheckpointStorage::idOf).reversed());
        List<RestoredCheckpoint> complete = new ArrayList<>();
        List<DamagedCheckpoint> damaged = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.exists(dir.resolve(Manifest.FILE_NAME))) {
                continue;
            }
            try {
                complete.add(load(dir));
            } catch (CorruptCheckpointException e) {
                damaged.add(new DamagedCheckpoint(idOf(dir), dir, e.getMessage()));
            }
        }
        return new Listing(complete, damaged);
    }

    /** Whether {@code dir} is named like one checkpoint or savepoint ({@code chk-<n>}, {@code savepoint-<n>}). */
    public static boolean isCheckpointName(Path dir) {
        return dir.getFileName() != null && idOf(dir) > 0;
    }

    /**
     * Reads and checks one checkpoint directory: its manifest (bounded in size, then decoded and checked
     * entry by entry) and every state file it names, present with the size it gives.
     */
    public static RestoredCheckpoint load(Path dir) throws IOException {
        Path file = dir.resolve(Manifest.FILE_NAME);
        byte[] data;
        try {
            long size = Files.size(file);
            if (size > ManifestFormat.MAX_BYTES) {
                throw new CorruptCheckpointException(file + ": " + size + " bytes, more than a manifest may hold ("
                        + ManifestFormat.MAX_BYTES + ")");
            }
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CorruptCheckpointException(dir + (Files.isDirectory(dir) ? " is not a complete checkpoint: it has no "
                    + Manifest.FILE_NAME : " does not exist"));
        }
        Manifest manifest = ManifestFormat.read(data, file);
        for (Manifest.Entry e : manifest.entries()) {
            if (e.kind() == Manifest.Kind.STATE_FILE) {
                Path state = dir.resolve(e.file());
                long size = Files.exists(state) ? Files.size(state) : -1;
                if (size != e.size()) {
                    throw new CorruptCheckpointException(state + (size < 0 ? ": missing" : ": " + size
                            + " bytes, the manifest says " + e.size()));
                }
            }
        }
        return new RestoredCheckpoint(dir, manifest);
    }

    private void prune(long newest) throws IOException {
        List<Path> complete = new ArrayList<>();
        for (Path p : directories()) {
            if (p.getFileName().toString().startsWith(CHECKPOINT)) {
                if (Files.exists(p.resolve(Manifest.FILE_NAME))) {
                    complete.add(p);
                } else if (idOf(p) < newest) {
                    deleteQuietly(p);
                }
            }
        }
        complete.sort(Comparator.comparingLong(CheckpointStorage::idOf).reversed());
        for (int i = retained; i < complete.size(); i++) {
            deleteQuietly(complete.get(i));
        }
    }

    private List<Path> directories() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path p : dirs) {
                if (idOf(p) > 0 && Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    /** The number in {@code chk-<n>} or {@code savepoint-<n>}; 0 for anything else. */
    static long idOf(Path dir) {
        String name = dir.getFileName().toString();
        String digits = name.startsWith(CHECKPOINT) ? name.substring(CHECKPOINT.length())
                : name.startsWith(SAVEPOINT) ? name.substring(SAVEPOINT.length()) : "";
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Long.parseLong(digits);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for syncing; the rename itself is still atomic.
        }
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> paths = new ArrayList<>();
            walk.forEach(paths::add);
            paths.sort(Comparator.reverseOrder());
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A leftover directory without a manifest is never restored; the next prune tries again.
        }
    }
}
