package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.StateRestore;
import org.apache.arrow.memory.BufferAllocator;

/**
 * The state file of a stream join subtask: a header (its watermark, the key groups it had), then the
 * buffered rows of both inputs by key group ({@link KeyGroupSections}, tagged by input): per input, segment
 * and key group one section. A restore reads the sections of its key groups out of every old subtask's file.
 */
final class JoinState {
    private static final long MAGIC = 0x31304E494F4A4C52L; // "RLJOIN01"
    private static final int HEADER = 32;

    private JoinState() {
    }

    /** Where an operator whose own state file is {@code stateFile} writes its kept records, beside it. */
    static Path recordsFile(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".records");
    }

    /** What a restore learns from an old subtask's file besides its rows. */
    record Header(long watermark, KeyGroupRange keyGroups) {
    }

    /**
     * A checkpoint of {@code buffers}' rows not gone and of {@code watermark}: the rows are shared with the
     * buffers (no copy) until the checkpoint is written ({@link #write}) or closed.
     */
    static OperatorSnapshot checkpoint(JoinBuffer[] buffers, long watermark, int subtask, int parallelism,
                                       int maxParallelism, BufferAllocator allocator) {
        JoinBuffer.Snapshot[] sides = new JoinBuffer.Snapshot[buffers.length];
        for (int side = 0; side < buffers.length; side++) {
            sides[side] = buffers[side].snapshot();
        }
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                return write(file, watermark, subtask, parallelism, maxParallelism, sides, allocator);
            }

            @Override
            public void close() {
                for (JoinBuffer.Snapshot side : sides) {
                    side.close();
                }
            }
        };
    }

    /**
     * Adds the rows of the restoring subtask's key groups, out of every old subtask's file, to {@code sides};
     * returns the headers of the old subtasks whose key groups meet the restoring subtask's.
     */
    static List<Header> readAll(StateRestore restore, JoinBuffer[] sides, BufferAllocator allocator)
            throws IOException {
        List<Header> taken = new ArrayList<>();
        for (Path file : restore.files()) {
            Header old = read(file, restore.keyGroups(), sides, allocator);
            if (old.keyGroups().intersects(restore.keyGroups())) {
                taken.add(old);
            }
        }
        return taken;
    }

    /**
     * Writes {@code sides}' rows not gone by key group into {@code file} and syncs it;
     * runs on the checkpoint thread. Returns the bytes written.
     */
    static long write(Path file, long watermark, int subtask, int parallelism, int maxParallelism,
                      JoinBuffer.Snapshot[] sides, BufferAllocator allocator) throws IOException {
        long written = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            written += KeyGroupSections.write(ch, ByteBuffer.allocate(HEADER).putLong(MAGIC).putInt(subtask)
                    .putInt(parallelism).putInt(maxParallelism).putInt(0).putLong(watermark).flip());
            for (int side = 0; side < sides.length; side++) {
                for (int s = 0; s < sides[side].segments().length; s++) {
                    written += writeSegment(ch, side, sides[side], s, maxParallelism, allocator);
                }
            }
            ch.force(true);
        }
        return written;
    }

    /**
     * One section per key group of segment {@code s}'s rows not gone ({@link JoinBuffer#isGone}); a restore
     * adds them as new rows, which no eviction has passed over yet, so none counts as gone.
     */
    private static long writeSegment(FileChannel ch, int side, JoinBuffer.Snapshot snapshot, int s,
                                     int maxParallelism, BufferAllocator allocator) throws IOException {
        JoinBuffer buffer = snapshot.buffer();
        RecordBatch rows = snapshot.segments()[s].rows.rows();
        SelectionVector live = new SelectionVector(rows.rowCount());
        int n = buffer.selectLive(rows, snapshot.evictedThrough(), snapshot.rowsAtEviction()[s], live);
        return KeyGroupSections.write(ch, side, rows, live, n, buffer.keyField(), maxParallelism, allocator);
    }

    /**
     * Appends the rows of {@code keyGroups} in {@code file} to {@code sides} and
     * returns the file's header; a short, damaged or foreign file is a {@link CorruptCheckpointException}
     * naming it.
     */
    static Header read(Path file, KeyGroupRange keyGroups, JoinBuffer[] sides, BufferAllocator allocator)
            throws IOException {
        byte[] data = StateFiles.readAll(file, "join state");
        ByteBuffer in = ByteBuffer.wrap(data);
        if (data.length < HEADER || in.getLong() != MAGIC) {
            throw new CorruptCheckpointException(file + ": not a stream join's state");
        }
        int subtask = in.getInt();
        int parallelism = in.getInt();
        int maxParallelism = in.getInt();
        in.getInt();
        long watermark = in.getLong();
        BatchSchema[] schemas = new BatchSchema[sides.length];
        for (int side = 0; side < sides.length; side++) {
            schemas[side] = sides[side].schema();
        }
        KeyGroupSections.read(file, data, in, schemas, keyGroups, allocator,
                (side, rows) -> sides[side].add(rows));
        return new Header(watermark, KeyGroupRange.ofPartition(subtask, maxParallelism, parallelism));
    }
}
