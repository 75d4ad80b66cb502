package io.riffle.engine.internal.checkpoint;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import io.riffle.engine.CheckpointFailureReason;

/** Tells why a checkpoint's write failed from what was thrown, and says it in one line. */
public final class FailureReasons {
    /** What the OS says when a disk has no room left (ENOSPC, EDQUOT) or a file may not grow (EFBIG). */
    private static final String[] NO_ROOM = {"No space left on device", "Disk quota exceeded", "File too large"};

    /** How deep a chain of causes is searched: far more than any real one, and a bound on a cyclic one. */
    private static final int MAX_CAUSES = 32;

    private FailureReasons() {
    }

    /**
     * Why a write failed with {@code e}: {@link CheckpointFailureReason#DISK_FULL} when it, or a cause of it,
     * says the disk has no room; {@link CheckpointFailureReason#IO_ERROR} for any other I/O failure, or an
     * {@link InternalError} (a page of a memory-mapped file that could not be read or written);
     * {@link CheckpointFailureReason#DECLINED} for anything else (out of memory, an operator's error).
     */
    public static CheckpointFailureReason of(Throwable e) {
        boolean io = false;
        int depth = 0;
        for (Throwable t = e; t != null && depth < MAX_CAUSES; t = t.getCause(), depth++) {
            if (t instanceof IOException || t instanceof InternalError) {
                io = true;
                if (saysNoRoom(t.getMessage()) || t instanceof FileSystemException f && saysNoRoom(f.getReason())) {
                    return CheckpointFailureReason.DISK_FULL;
                }
            }
        }
        return io ? CheckpointFailureReason.IO_ERROR : CheckpointFailureReason.DECLINED;
    }

    private static boolean saysNoRoom(String message) {
        if (message != null) {
            for (String words : NO_ROOM) {
                if (message.contains(words)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code e} in one line: a file system's failure names the file and what went wrong with it (the JDK's
     * {@code AccessDeniedException} says only the path), anything else gives its message.
     */
    static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String what = f.getReason() != null ? f.getReason()
                    : f instanceof AccessDeniedException ? "access denied"
                    : f instanceof FileAlreadyExistsException ? "a file of that name is in the way"
                    : f instanceof NoSuchFileException ? "no such file or directory"
                    : "cannot be written";
            return f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "") + ": " + what;
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
