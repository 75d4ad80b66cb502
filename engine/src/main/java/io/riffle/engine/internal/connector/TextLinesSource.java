package io.riffle.engine.internal.connector;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.vector.VarCharVector;

/**
 * The lines of a UTF-8 text file as a {@code (line: utf8)} stream, read by one subtask; bytes that are not
 * UTF-8 fail the job naming the file, line and column ({@link Utf8FileReader}).
 */
public final class TextLinesSource implements Source {
    public static final BatchSchema SCHEMA = BatchSchema.of(Column.of("line", ColumnType.UTF8));
    private final Path file;

    public TextLinesSource(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("text input " + file + " does not exist or is not a file");
        }
        this.file = file;
    }

    @Override
    public String name() {
        return "text(" + file.getFileName() + ")";
    }

    @Override
    public BatchSchema schema() {
        return SCHEMA;
    }

    @Override
    public int maxParallelism() {
        return 1;
    }

    @Override
    public SourceReader createReader(TaskContext context) throws IOException {
        return reader(context, 0);
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    /** Parallelism 1: the one position says how many lines were read; they are read past again. */
    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws IOException {
        return reader(context, positions.isEmpty() ? Long.MAX_VALUE : ByteBuffer.wrap(positions.get(0)).getLong());
    }

    private SourceReader reader(TaskContext context, long skip) throws IOException {
        BufferedReader reader;
        try {
            reader = new BufferedReader(new Utf8FileReader(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("text input " + file + " does not exist", e);
        }
        return new SourceReader() {
            private final RecordBatch batch = RecordBatch.allocate(SCHEMA, context.allocator(), context.batchSize());
            private boolean finished;
            private long toSkip = skip;
            private long lines = skip;

            @Override
            public RecordBatch next() throws IOException {
                for (; toSkip > 0 && !finished; toSkip--) {
                    finished = reader.readLine() == null;
                }
                if (finished) {
                    return null;
                }
                VarCharVector v = batch.utf8(0);
                v.reset();
                int n = 0;
                String line;
                while (n < context.batchSize() && (line = reader.readLine()) != null) {
                    v.setSafe(n++, line.getBytes(StandardCharsets.UTF_8));
                }
                finished = n < context.batchSize();
                lines += n;
                batch.setRowCount(n);
                return n == 0 ? null : batch;
            }

            @Override
            public boolean isFinished() {
                return finished;
            }

            @Override
            public byte[] position() {
                return ByteBuffer.allocate(8).putLong(lines).array();
            }

            @Override
            public void close() throws IOException {
                batch.close();
                reader.close();
            }
        };
    }
}
