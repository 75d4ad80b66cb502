package io.riffle.engine.connector.file;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;

/**
 * Reads one UTF-8 CSV file into batches of a declared schema, in file order, with one reader (maximum
 * parallelism 1).
 *
 * <p>Field {@code i} of a line goes to column {@code i}. An empty field of a utf8 column is the empty string,
 * as in Flink's CSV format, unless the format says {@link CsvFormat#withEmptyStringAsNull withEmptyStringAsNull(true)}:
 * then an empty unquoted one is null and a quoted one ({@code ""}) the empty string. An empty field of another
 * type is null. A null in a non-nullable column fails the read naming the file, line and field and what to
 * change. bool reads {@code true}/{@code false} in any case; timestamp[ms] reads epoch milliseconds or
 * an ISO-8601 instant such as {@code 2026-01-02T03:04:05Z}; float64 reads what {@link Double#parseDouble}
 * does. A blank line is skipped when the schema has several fields and is an empty field when it has one.
 * A malformed line fails the read with the file, the line (1-based, the header and line breaks inside
 * quoted fields counted), the field and the offending text:
 * {@code orders.csv:17: field 2 ('amount', float64): cannot parse 'abc'}.
 *
 * <pre>{@code
 * BatchSchema schema = BatchSchema.of(Column.of("id", ColumnType.INT64), Column.nullable("name", ColumnType.UTF8));
 * Source orders = new CsvSource(Path.of("orders.csv"), schema);                       // header line, commas
 * Source raw = new CsvSource(Path.of("raw.tsv"), schema, CsvFormat.DEFAULT.withDelimiter('\t').withHeader(false));
 * }</pre>
 */
public final class CsvSource implements Source {
    private final Path file;
    private final BatchSchema schema;
    private final CsvFormat format;

    /** The comma-separated file {@code file}, whose first line is a header. */
    public CsvSource(Path file, BatchSchema schema) {
        this(file, schema, CsvFormat.DEFAULT);
    }

    /** The file {@code file} laid out as {@code format} says. Fails now if the file does not exist. */
    public CsvSource(Path file, BatchSchema schema, CsvFormat format) {
        this.file = Objects.requireNonNull(file, "file");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.format = Objects.requireNonNull(format, "format");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
    }

    @Override
    public String name() {
        return "csv(" + file.getFileName() + ")";
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public int maxParallelism() {
        return 1;
    }

    @Override
    public SourceReader createReader(TaskContext context) throws Exception {
        return new CsvSourceReader(file, schema, format, context.allocator(), context.batchSize(), 0);
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    /** Parallelism 1: the one position says how many records were read; they are passed over again. */
    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws Exception {
        long skip = positions.isEmpty() ? Long.MAX_VALUE : ByteBuffer.wrap(positions.get(0)).getLong();
        return new CsvSourceReader(file, schema, format, context.allocator(), context.batchSize(), skip);
    }
}
