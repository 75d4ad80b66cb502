package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.connector.IndexRanges;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * Reads one subtask's share of an Arrow IPC file's record batches, one per call, into a batch it owns and
 * reuses: the vectors take the buffers read from the file, no copy. Arrow's file reader supplies the
 * footer (schema and batch positions); the batches are read here, because Arrow's reader does not free
 * the buffer it read when a batch turns out damaged. Its position is the indexes of the batches it has not
 * read (those of several old subtasks, after a restore at a lower parallelism, are read in file order).
 * Single-threaded.
 */
final class ArrowIpcSourceReader implements SourceReader {
    private final Path file;
    private final BufferAllocator allocator;
    private final FileChannel channel;
    private final ReadChannel in;
    private final ArrowFileReader footer;
    private final List<ArrowBlock> blocks;
    private final RecordBatch batch;
    private final VectorLoader loader;
    /** The record batches left to read, by index. */
    private final IndexRanges left;

    /** Reads this subtask's share of the batches, or with {@code restored} non-null what those positions left. */
    ArrowIpcSourceReader(Path file, BatchSchema schema, TaskContext context, List<byte[]> restored) throws IOException {
        this.file = file;
        this.allocator = context.allocator();
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.in = new ReadChannel(channel);
        this.footer = new ArrowFileReader(channel, allocator);
        RecordBatch owned = null;
        try {
            BatchSchema actual = ArrowIpcSource.schemaOf(file, ArrowIpcSource.readSchema(file, footer));
            if (!actual.equals(schema)) {
                throw new IllegalStateException(file + ": the file changed since the job was built; its schema was "
                        + schema + " and is now " + actual);
            }
            this.blocks = footer.getRecordBlocks();
            this.left = restored == null ? IndexRanges.share(blocks.size(), context.subtask(), context.parallelism())
                    : IndexRanges.decode(restored, "arrow(" + file.getFileName() + ")");
            FieldVector[] vectors = new FieldVector[schema.columnCount()];
            for (int c = 0; c < vectors.length; c++) {
                vectors[c] = schema.toArrow().getFields().get(c).createVector(allocator);
            }
            owned = RecordBatch.wrap(schema, vectors, 0);
            // A view of the batch's vectors for the loader; the batch owns and closes them.
            this.loader = new VectorLoader(new VectorSchemaRoot(schema.toArrow().getFields(), List.of(vectors), 0));
            this.batch = owned;
        } catch (IOException | RuntimeException e) {
            if (owned != null) {
                owned.close();
            }
            try {
                footer.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public RecordBatch next() throws IOException {
        if (left.isEmpty()) {
            return null;
        }
        long index = left.next();
        if (index >= blocks.size()) {
            throw new IOException(file + ": record batch " + index + " is gone: the file has " + blocks.size()
                    + " now; it changed since the checkpoint");
        }
        int next = (int) index;
        try (ArrowRecordBatch data = read(blocks.get(next))) {
            loader.load(data);
            batch.setRowCount(data.getLength());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": record batch " + next + " of " + blocks.size() + " is unreadable ("
                    + ArrowIpcSource.reason(e) + ")", e);
        }
        left.advance(1);
        return batch;
    }

    /** The record batch at {@code block}; every buffer read is freed if it cannot be decoded. */
    private ArrowRecordBatch read(ArrowBlock block) throws IOException {
        long metadataLength = block.getMetadataLength();
        long length = metadataLength + block.getBodyLength();
        if (block.getOffset() < 0 || metadataLength < 8 || block.getBodyLength() < 0
                || block.getOffset() + length > channel.size()) {
            throw new IOException("the footer places it at bytes " + block.getOffset() + " .. "
                    + (block.getOffset() + length) + " of a file of " + channel.size());
        }
        ArrowBuf buffer = allocator.buffer(length);
        try {
            channel.position(block.getOffset());
            if (in.readFully(buffer, length) != length) {
                throw new IOException("the file ends inside it");
            }
            int prefix = buffer.getInt(0) == MessageSerializer.IPC_CONTINUATION_TOKEN ? 8 : 4;
            Message message = Message.getRootAsMessage(buffer.nioBuffer(prefix, (int) (metadataLength - prefix)));
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new IOException("the message there is not a record batch");
            }
            ArrowBuf body = buffer.slice(metadataLength, block.getBodyLength());
            // deserializeRecordBatch releases the body once the batch holds its buffers, and only then.
            body.getReferenceManager().retain();
            try {
                return MessageSerializer.deserializeRecordBatch(message, body);
            } catch (IOException | RuntimeException e) {
                body.close();
                throw e;
            }
        } finally {
            buffer.close();
        }
    }

    @Override
    public boolean isFinished() {
        return left.isEmpty();
    }

    /** The indexes of the record batches not read yet. */
    @Override
    public byte[] position() {
        return left.encode();
    }

    @Override
    public void close() throws IOException {
        try {
            batch.close();
        } finally {
            footer.close();
        }
    }
}
