package io.riffle.engine.connector.file;

import java.nio.file.Path;
import java.util.Objects;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;

/**
 * Writes a job's rows as UTF-8 CSV that {@link CsvSource} reads back with the same schema and format: a
 * header line of field names (unless the format says otherwise), one line per row ending in LF, a field
 * quoted only when it holds the delimiter, the quote, CR or LF, nulls as empty fields and the empty string
 * as {@code ""}, floats as {@link Double#toString}, timestamps as ISO-8601 instants.
 *
 * <p>Paths: {@code new CsvSink(file)} runs at parallelism 1 and writes the file {@code file};
 * {@code CsvSink.partitioned(directory)} runs at its input's parallelism and subtask {@code i} writes
 * {@code directory/part-<i>.csv}. Each file is written under a temporary name in the same directory and
 * renamed into place when that subtask's input ends, replacing any file there; a subtask whose job fails
 * before then leaves no file behind and an existing file as it was (parts that other subtasks finished
 * before the failure stay).
 *
 * <pre>{@code
 * Sink totals = new CsvSink(Path.of("totals.csv"));
 * Sink parts = CsvSink.partitioned(Path.of("out"), CsvFormat.DEFAULT.withDelimiter(';'));
 * }</pre>
 */
public final class CsvSink implements Sink {
    private final SinkPath path;
    private final CsvFormat format;

    /** Writes the comma-separated file {@code file}, with a header line, from one subtask. */
    public CsvSink(Path file) {
        this(file, CsvFormat.DEFAULT);
    }

    /** Writes the file {@code file}, laid out as {@code format} says, from one subtask. */
    public CsvSink(Path file, CsvFormat format) {
        this(SinkPath.file(Objects.requireNonNull(file, "file"), ".csv"), format);
    }

    private CsvSink(SinkPath path, CsvFormat format) {
        this.path = path;
        this.format = Objects.requireNonNull(format, "format");
    }

    /** Writes {@code directory/part-<i>.csv} from each subtask {@code i}, at the input's parallelism. */
    public static CsvSink partitioned(Path directory) {
        return partitioned(directory, CsvFormat.DEFAULT);
    }

    /** Writes {@code directory/part-<i>.csv}, laid out as {@code format} says, from each subtask {@code i}. */
    public static CsvSink partitioned(Path directory, CsvFormat format) {
        return new CsvSink(SinkPath.directory(Objects.requireNonNull(directory, "directory"), ".csv"), format);
    }

    @Override
    public String name() {
        return path.name("csv");
    }

    @Override
    public int parallelism() {
        return path.parallelism();
    }

    @Override
    public SinkWriter createWriter(BatchSchema schema, TaskContext context) throws Exception {
        return CsvSinkWriter.open(path.fileOf(context.subtask()), schema, format);
    }
}
