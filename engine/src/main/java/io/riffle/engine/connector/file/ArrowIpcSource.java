package io.riffle.engine.connector.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads an Arrow IPC file (the random-access file format, as {@link ArrowIpcSink} and {@code pyarrow.feather}
 * write it) with the schema stored in the file. Parallel: subtask {@code s} of {@code p} reads the file's
 * record batches {@code s, s + p, s + 2p, ...}, so batch order holds within a subtask only. Rewindable, so
 * a job reading it can checkpoint.
 *
 * <p>The file is opened when the source is created, so that a missing file, a file that is not Arrow IPC
 * and a column of a type Riffle does not support fail then, naming the file (and the field).
 *
 * <pre>{@code
 * Source trades = new ArrowIpcSource(Path.of("trades.arrow"));
 * BatchSchema schema = trades.schema();
 * }</pre>
 */
public final class ArrowIpcSource implements Source {
    private final Path file;
    private final BatchSchema schema;

    /** The Arrow IPC file {@code file}; reads its schema now. */
    public ArrowIpcSource(Path file) {
        this.file = Objects.requireNonNull(file, "file");
        try (RootAllocator allocator = new RootAllocator(); ArrowFileReader reader = open(file, allocator)) {
            this.schema = schemaOf(file, readSchema(file, reader));
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot close: " + e, e);
        }
    }

    @Override
    public String name() {
        return "arrow(" + file.getFileName() + ")";
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public SourceReader createReader(TaskContext context) throws Exception {
        return new ArrowIpcSourceReader(file, schema, context, null);
    }

    /** Rewindable: a reader's position is the indexes of the record batches it has not read. */
    @Override
    public boolean isRewindable() {
        return true;
    }

    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws Exception {
        return new ArrowIpcSourceReader(file, schema, context, positions);
    }

    /** A reader of {@code file} with {@code allocator}; reads nothing yet. */
    private static ArrowFileReader open(Path file, BufferAllocator allocator) {
        try {
            return new ArrowFileReader(FileChannel.open(file, StandardOpenOption.READ), allocator);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot open: " + e, e);
        }
    }

    /** The Arrow schema in the footer of {@code file}, or an error naming the file when there is none. */
    static Schema readSchema(Path file, ArrowFileReader reader) {
        try {
            return reader.getVectorSchemaRoot().getSchema();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    file + ": not an Arrow IPC file, or a truncated one (" + reason(e) + ")", e);
        }
    }

    /** What went wrong, for an error message: the exception's message, or its class when it has none. */
    static String reason(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }

    /** The Riffle schema of {@code arrow}, or an error naming the file and the field Riffle cannot read. */
    static BatchSchema schemaOf(Path file, Schema arrow) {
        List<Field> fields = arrow.getFields();
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).getDictionary() != null) {
                throw new IllegalArgumentException(file + ": field " + i + " ('" + fields.get(i).getName()
                        + "') is dictionary-encoded, which Riffle does not read; write it as plain values");
            }
        }
        try {
            return BatchSchema.fromArrow(arrow);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }
}
