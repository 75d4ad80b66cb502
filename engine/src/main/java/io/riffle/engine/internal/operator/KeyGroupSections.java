package io.riffle.engine.internal.operator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.HashKernel;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * Columnar rows in a state file, filed by key group so that a restore at any parallelism reads only its own:
 * per key group one section, a header (a tag naming which of the file's row sets it belongs to, the key group,
 * the rows, the body's bytes, a CRC32C of the body) and the rows as an Arrow IPC stream. The layout of a stream
 * join's buffers and of a running aggregate's first records.
 */
final class KeyGroupSections {
    static final int HEADER = 24;

    private KeyGroupSections() {
    }

    /**
     * Writes the rows of {@code rows} that {@code selected} names ({@code n} of them), keyed by field
     * {@code keyField}, one section per key group, tagged {@code tag}; runs on the checkpoint thread. Returns
     * the bytes written.
     */
    static long write(FileChannel ch, int tag, RecordBatch rows, SelectionVector selected, int n, int keyField,
                      int maxParallelism, BufferAllocator allocator) throws IOException {
        if (n == 0) {
            return 0;
        }
        long[] hashes = new long[rows.rowCount()];
        HashKernel.hash(rows, new int[] {keyField}, hashes);
        // Counting sort of the selected rows by key group: the rows of group g are byGroup[start[g], start[g + 1]).
        int[] start = new int[maxParallelism + 1];
        int[] groups = new int[n];
        for (int i = 0; i < n; i++) {
            groups[i] = KeyGroups.keyGroup(hashes[selected.get(i)], maxParallelism);
            start[groups[i] + 1]++;
        }
        for (int g = 0; g < maxParallelism; g++) {
            start[g + 1] += start[g];
        }
        int[] byGroup = new int[n];
        int[] fill = Arrays.copyOf(start, maxParallelism);
        for (int i = 0; i < n; i++) {
            byGroup[fill[groups[i]]++] = selected.get(i);
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
            written += write(ch, ByteBuffer.allocate(HEADER).putInt(tag).putInt(g).putInt(count)
                    .putInt(body.length).putLong(crc.getValue()).flip());
            written += write(ch, ByteBuffer.wrap(body));
        }
        return written;
    }

    static long write(FileChannel ch, ByteBuffer buffer) throws IOException {
        long n = buffer.remaining();
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
        return n;
    }

    /** Takes up the rows of one section: a view, valid during the call, of {@code schemas[tag]}. */
    interface Rows {
        void accept(int tag, RecordBatch rows) throws IOException;
    }

    /**
     * Reads the sections of {@code data} from {@code in}'s position to its end and hands those of
     * {@code keyGroups} to {@code rows}, each checked against its checksum; a tag outside
     * {@code schemas}, a short section or a failed checksum is a {@link CorruptCheckpointException} naming
     * {@code file}.
     */
    static void read(Path file, byte[] data, ByteBuffer in, BatchSchema[] schemas, KeyGroupRange keyGroups,
                     BufferAllocator allocator, Rows rows) throws IOException {
        while (in.hasRemaining()) {
            if (in.remaining() < HEADER) {
                throw new CorruptCheckpointException(file + ": truncated at byte " + in.position());
            }
            int tag = in.getInt();
            int group = in.getInt();
            int count = in.getInt();
            int length = in.getInt();
            long crc = in.getLong();
            if (length < 0 || length > in.remaining() || tag < 0 || tag >= schemas.length) {
                throw new CorruptCheckpointException(file + ": damaged section at byte " + (in.position() - HEADER));
            }
            if (keyGroups.contains(group)) {
                CRC32C check = new CRC32C();
                check.update(data, in.position(), length);
                if (check.getValue() != crc) {
                    throw new CorruptCheckpointException(file + ": key group " + group + " fails its checksum");
                }
                readSection(file, data, in.position(), length, count, schemas[tag], allocator, tag, rows);
            }
            in.position(in.position() + length);
        }
    }

    private static void readSection(Path file, byte[] data, int offset, int length, int count, BatchSchema schema,
                                    BufferAllocator allocator, int tag, Rows rows) throws IOException {
        try (ArrowStreamReader reader = new ArrowStreamReader(new ByteArrayInputStream(data, offset, length), allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            if (!reader.loadNextBatch() || root.getRowCount() != count) {
                throw new CorruptCheckpointException(file + ": a section at byte " + offset + " does not hold its "
                        + count + " rows");
            }
            // A view of the reader's vectors, which the reader frees; the taker copies the rows.
            rows.accept(tag, RecordBatch.wrap(schema, root.getFieldVectors().toArray(new FieldVector[0]),
                    root.getRowCount()));
        }
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
}
