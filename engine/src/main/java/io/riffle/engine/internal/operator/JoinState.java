package io.riffle.engine.internal.operator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * The state file of a stream join subtask: a header (its watermark, the key groups it had), then the
 * buffered rows of both inputs by key group: per input, segment and key group one section of those rows
 * as an Arrow IPC stream, with a CRC32C. A restore reads the sections of its key groups out of every old
 * subtask's file.
 */
final class JoinState {
    private static final long MAGIC = 0x31304E494F4A4C52L; // "RLJOIN01"
    private static final int HEADER = 32;
    private static final int SECTION_HEADER = 24;

    private JoinState() {
    }

    /** What a restore learns from an old subtask's file besides its rows. */
    record Header(long watermark, int firstKeyGroup, int lastKeyGroupExclusive) {
    }

    /**
     * Writes {@code sides}' rows not gone by key group into {@code file} and syncs it;
     * runs on the checkpoint thread. Returns the bytes written.
     */
    static long write(Path file, long watermark, int subtask, int parallelism, int maxParallelism,
                      JoinBuffer.Snapshot[] sides, BufferAllocator allocator) throws IOException {
        long written = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            written += write(ch, ByteBuffer.allocate(HEADER).putLong(MAGIC).putInt(subtask).putInt(parallelism)
                    .putInt(maxParallelism).putInt(0).putLong(watermark).flip());
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
        if (n == 0) {
            return 0;
        }
        long[] hashes = new long[rows.rowCount()];
        HashKernel.hash(rows, new int[] {buffer.keyField()}, hashes);
        // Counting sort of the live rows by key group: the rows of group g are byGroup[start[g], start[g + 1]).
        int[] start = new int[maxParallelism + 1];
        int[] groups = new int[n];
        for (int i = 0; i < n; i++) {
            groups[i] = KeyGroups.keyGroup(hashes[live.get(i)], maxParallelism);
            start[groups[i] + 1]++;
        }
        for (int g = 0; g < maxParallelism; g++) {
            start[g + 1] += start[g];
        }
        int[] byGroup = new int[n];
        int[] fill = Arrays.copyOf(start, maxParallelism);
        for (int i = 0; i < n; i++) {
            byGroup[fill[groups[i]]++] = live.get(i);
        }
        long written = 0;
        SelectionVector section = new SelectionVector(n);
        for (int g = 0; g < maxParallelism; g++) {
            int count = start[g + 1] - start[g];
            if (count == 0) {
                continue;
            }
            System.arraycopy(byGroup, start[g], section.rows(), 0, count);
            section.setSize(count);
            byte[] body;
            try (RecordBatch copy = GatherKernel.gather(rows, section, allocator)) {
                body = toIpc(copy);
            }
            CRC32C crc = new CRC32C();
            crc.update(body);
            written += write(ch, ByteBuffer.allocate(SECTION_HEADER).putInt(side).putInt(g).putInt(count)
                    .putInt(body.length).putLong(crc.getValue()).flip());
            written += write(ch, ByteBuffer.wrap(body));
        }
        return written;
    }

    private static byte[] toIpc(RecordBatch batch) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<FieldVector> vectors = new ArrayList<>();
        for (int c = 0; c < batch.columnCount(); c++) {
            vectors.add(batch.vector(c));
        }
        // A view of the batch's vectors; closing it would free them, so only the writer is closed.
        VectorSchemaRoot view = new VectorSchemaRoot(batch.schema().toArrow().getFields(), vectors, batch.rowCount());
        try (ArrowStreamWriter writer = new ArrowStreamWriter(view, null, Channels.newChannel(bytes))) {
            writer.start();
            writer.writeBatch();
            writer.end();
        }
        return bytes.toByteArray();
    }

    private static long write(FileChannel ch, ByteBuffer buffer) throws IOException {
        long n = buffer.remaining();
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
        return n;
    }

    /**
     * Appends the rows of key groups {@code [first, lastExclusive)} in {@code file} to {@code sides} and
     * returns the file's header; a short, damaged or foreign file is a {@link CorruptCheckpointException}
     * naming it.
     */
    static Header read(Path file, int first, int lastExclusive, JoinBuffer[] sides, BufferAllocator allocator)
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
        while (in.hasRemaining()) {
            if (in.remaining() < SECTION_HEADER) {
                throw new CorruptCheckpointException(file + ": truncated at byte " + in.position());
            }
            int side = in.getInt();
            int group = in.getInt();
            int count = in.getInt();
            int length = in.getInt();
            long crc = in.getLong();
            if (length < 0 || length > in.remaining() || side < 0 || side >= sides.length) {
                throw new CorruptCheckpointException(file + ": damaged section at byte " + (in.position() - SECTION_HEADER));
            }
            if (group >= first && group < lastExclusive) {
                CRC32C check = new CRC32C();
                check.update(data, in.position(), length);
                if (check.getValue() != crc) {
                    throw new CorruptCheckpointException(file + ": key group " + group + " fails its checksum");
                }
                readSection(file, data, in.position(), length, count, sides[side], allocator);
            }
            in.position(in.position() + length);
        }
        return new Header(watermark, KeyGroups.firstKeyGroup(subtask, maxParallelism, parallelism),
                KeyGroups.lastKeyGroupExclusive(subtask, maxParallelism, parallelism));
    }

    private static void readSection(Path file, byte[] data, int offset, int length, int count, JoinBuffer side,
                                    BufferAllocator allocator) throws IOException {
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(data, offset, length), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            if (!reader.loadNextBatch() || root.getRowCount() != count) {
                throw new CorruptCheckpointException(file + ": a section at byte " + offset + " does not hold its "
                        + count + " rows");
            }
            // A view of the reader's vectors, which the reader frees; the buffer copies the rows.
            RecordBatch rows = RecordBatch.wrap(side.schema(),
                    root.getFieldVectors().toArray(new FieldVector[0]), root.getRowCount());
            side.add(rows);
        }
    }
}
