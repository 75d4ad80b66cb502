package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.connector.SinkWriter;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * Writes batches as the record batches of an Arrow IPC file in a {@link StagedFile}. Each batch's buffers
 * are loaded, shared rather than copied, into the file writer's root for the write and let go after it; a
 * batch with a selection is first gathered into a dense batch this writer owns. Single-threaded.
 */
final class ArrowIpcSinkWriter implements SinkWriter {
    private final StagedFile file;
    private final BatchSchema schema;
    private final BufferAllocator allocator;
    private final VectorSchemaRoot root;
    private final VectorLoader loader;
    private final ArrowFileWriter writer;
    private final FieldVector[] vectors;
    /** The selected rows of the last batch that had a selection; allocated on first use. */
    private RecordBatch dense;

    private ArrowIpcSinkWriter(StagedFile file, BatchSchema schema, BufferAllocator allocator,
                               VectorSchemaRoot root) {
        this.file = file;
        this.schema = schema;
        this.allocator = allocator;
        this.root = root;
        this.loader = new VectorLoader(root);
        // The writer holds no memory of its own: finish() ends it and the staged file closes its channel.
        this.writer = new ArrowFileWriter(root, null, file.channel());
        this.vectors = new FieldVector[schema.columnCount()];
    }

    /** A writer of the file {@code target}, which appears there on {@link #finish()}; the schema is written. */
    static ArrowIpcSinkWriter open(Path target, BatchSchema schema, BufferAllocator allocator) throws IOException {
        StagedFile file = StagedFile.create(target);
        VectorSchemaRoot root = null;
        try {
            root = VectorSchemaRoot.create(schema.toArrow(), allocator);
            ArrowIpcSinkWriter writer = new ArrowIpcSinkWriter(file, schema, allocator, root);
            writer.writer.start();
            return writer;
        } catch (IOException | RuntimeException e) {
            if (root != null) {
                root.close();
            }
            file.discard(e);
            throw e;
        }
    }

    @Override
    public void write(RecordBatch batch) throws IOException {
        if (batch.selectedRowCount() == 0) {
            return;
        }
        RecordBatch rows = batch;
        if (batch.selection() != null) {
            if (dense == null) {
                dense = RecordBatch.allocate(schema, allocator, batch.selectedRowCount());
            }
            GatherKernel.gather(batch, batch.selection(), dense);
            rows = dense;
        }
        for (int c = 0; c < vectors.length; c++) {
            vectors[c] = rows.vector(c);
        }
        // A view of the batch's vectors for the unloader; closing it would free them, so it is not closed.
        List<FieldVector> view = Arrays.asList(vectors);
        VectorSchemaRoot source = new VectorSchemaRoot(schema.toArrow().getFields(), view, rows.rowCount());
        try (ArrowRecordBatch data = new VectorUnloader(source).getRecordBatch()) {
            loader.load(data);
        }
        try {
            writer.writeBatch();
        } finally {
            root.clear();
        }
    }

    @Override
    public void finish() throws IOException {
        writer.end();
        file.commit();
    }

    @Override
    public void close() throws IOException {
        try {
            root.close();
            if (dense != null) {
                dense.close();
            }
        } finally {
            file.close();
        }
    }
}
