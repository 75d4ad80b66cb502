package io.riffle.engine;

import java.util.Locale;

/**
 * Why a checkpoint failed ({@link JobHandle#checkpointFailures()}, {@link JobResult#checkpointFailures()}).
 * A failed checkpoint is aborted and its files deleted; the job goes on from the last complete one, unless
 * more failed in a row than {@link Environment#setTolerableCheckpointFailures} allows.
 *
 * <pre>{@code
 * CheckpointFailures failures = job.checkpointFailures();
 * if (failures.count(CheckpointFailureReason.DISK_FULL) > 0) alertOps(failures.last().message());
 * }</pre>
 */
public enum CheckpointFailureReason {
    /**
     * A subtask could not snapshot its state for a cause other than its storage
     * (out of memory, an operator's error).
     */
    DECLINED,
    /** The disk had no room for a state file or the manifest (no space left, a quota or a file size limit). */
    DISK_FULL,
    /**
     * The checkpoint's directory, a state file or its manifest could not be created or written; the message names
     * the path.
     */
    IO_ERROR,
    /** Not every subtask acknowledged the checkpoint within the checkpoint timeout. */
    TIMED_OUT;

    /** The reason in words, as messages and the CLI's summary write it: {@code "disk full"}. */
    public String words() {
        return name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
