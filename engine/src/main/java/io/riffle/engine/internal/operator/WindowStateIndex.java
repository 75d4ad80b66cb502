package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;

/**
 * The state file of a window operator subtask in a checkpoint: which key groups the subtask had, its
 * watermark, the end of the last window it fired, and its panes (start and the size of the pane's table
 * file, {@code <state file>.<start>}). Checked by a CRC32C on read.
 */
record WindowStateIndex(int subtask, int parallelism, int maxParallelism, long watermark, long firedEnd,
                        long[] paneStarts, long[] paneBytes) {
    private static final long MAGIC = 0x31304E4957464C52L; // "RLFWIN01"

    static Path paneFile(Path stateFile, long paneStart) {
        return stateFile.resolveSibling(stateFile.getFileName() + "." + paneStart);
    }

    /** The key groups of the subtask that wrote it. */
    KeyGroupRange keyGroups() {
        return KeyGroupRange.ofPartition(subtask, maxParallelism, parallelism);
    }

    /** Writes the index to {@code file} and syncs it; returns its size. */
    long writeTo(Path file) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(48 + 16 * paneStarts.length);
        out.putLong(MAGIC).putInt(subtask).putInt(parallelism).putInt(maxParallelism).putLong(watermark)
                .putLong(firedEnd).putInt(paneStarts.length);
        for (int p = 0; p < paneStarts.length; p++) {
            out.putLong(paneStarts[p]).putLong(paneBytes[p]);
        }
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putLong(crc.getValue());
        out.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.force(true);
        }
        return out.limit();
    }

    /** Reads an index; a short, damaged or foreign file is a {@link CorruptCheckpointException} naming it. */
    static WindowStateIndex read(Path file) throws IOException {
        byte[] data = StateFiles.readAll(file, "window state");
        if (data.length < 48) {
            throw new CorruptCheckpointException(file + ": truncated window state (" + data.length + " bytes)");
        }
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - 8);
        ByteBuffer in = ByteBuffer.wrap(data);
        if (in.getLong(data.length - 8) != crc.getValue()) {
            throw new CorruptCheckpointException(file + ": the window state fails its checksum");
        }
        if (in.getLong() != MAGIC) {
            throw new CorruptCheckpointException(file + ": not a window operator's state");
        }
        int subtask = in.getInt();
        int parallelism = in.getInt();
        int maxParallelism = in.getInt();
        long watermark = in.getLong();
        long firedEnd = in.getLong();
        int panes = in.getInt();
        if (panes < 0 || data.length != 48 + 16L * panes) {
            throw new CorruptCheckpointException(file + ": window state of " + data.length + " bytes for " + panes
                    + " panes");
        }
        long[] starts = new long[panes];
        long[] bytes = new long[panes];
        for (int p = 0; p < panes; p++) {
            starts[p] = in.getLong();
            bytes[p] = in.getLong();
        }
        return new WindowStateIndex(subtask, parallelism, maxParallelism, watermark, firedEnd, starts, bytes);
    }

    /** Pane {@code p}'s table file next to {@code stateFile}, checked to exist with its recorded size. */
    Path checkedPaneFile(Path stateFile, int p) throws IOException {
        Path pane = paneFile(stateFile, paneStarts[p]);
        long size = Files.exists(pane) ? Files.size(pane) : -1;
        if (size != paneBytes[p]) {
            throw new CorruptCheckpointException(pane + ": " + (size < 0 ? "missing" : size + " bytes")
                    + ", the window state recorded " + paneBytes[p]);
        }
        return pane;
    }
}
