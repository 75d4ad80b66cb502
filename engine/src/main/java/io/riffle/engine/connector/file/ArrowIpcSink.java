package io.riffle.engine.connector.file;

import java.nio.file.Path;
import java.util.Objects;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;

/**
 * Writes a job's rows as an Arrow IPC file (the random-access file format, which {@link ArrowIpcSource},
 * pyarrow and other Arrow readers read), one record batch per batch written, without compression.
 *
 * <p>Paths: {@code new ArrowIpcSink(file)} runs at parallelism 1 and writes the file {@code file};
 * {@code ArrowIpcSink.partitioned(directory)} runs at its input's parallelism and subtask {@code i} writes
 * {@code directory/part-<i>.arrow}. Each file is written under a temporary name in the same directory and
 * renamed into place when that subtask's input ends, replacing any file there; a subtask whose job fails
 * before then leaves no file behind and an existing file as it was (parts that other subtasks finished
 * before the failure stay).
 *
 * <p>An Arrow IPC file ends with a footer that indexes its batches, so a file cut back to a checkpoint
 * cannot simply be appended to: a job that checkpoints or restores with this sink is refused when it
 * starts ({@link #keepsRowsOnRestore()}), since a restore would lose the rows written before it. Write
 * such a job's output with {@link CsvSink} or {@link TransactionalCsvSink}.
 *
 * <pre>{@code
 * Sink out = new ArrowIpcSink(Path.of("totals.arrow"));
 * }</pre>
 */
public final class ArrowIpcSink implements Sink {
    private final SinkPath path;

    /** Writes the file {@code file} from one subtask. */
    public ArrowIpcSink(Path file) {
        this(SinkPath.file(Objects.requireNonNull(file, "file"), ".arrow"));
    }

    private ArrowIpcSink(SinkPath path) {
        this.path = path;
    }

    /** Writes {@code directory/part-<i>.arrow} from each subtask {@code i}, at the input's parallelism. */
    public static ArrowIpcSink partitioned(Path directory) {
        return new ArrowIpcSink(SinkPath.directory(Objects.requireNonNull(directory, "directory"), ".arrow"));
    }

    @Override
    public String name() {
        return path.name("arrow");
    }

    @Override
    public int parallelism() {
        return path.parallelism();
    }

    /** A restored writer would start the file afresh, losing the rows before the checkpoint. */
    @Override
    public boolean keepsRowsOnRestore() {
        return false;
    }

    @Override
    public SinkWriter createWriter(BatchSchema schema, TaskContext context) throws Exception {
        return ArrowIpcSinkWriter.open(path.fileOf(context.subtask()), schema, context.allocator());
    }
}
