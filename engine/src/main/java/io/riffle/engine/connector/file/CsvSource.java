package io.riffle.engine.connector.file;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;

/**
 * A CSV file read with a declared schema (RFC 4180: fields may be quoted with {@code "}, a quote inside
 * doubled, a quoted field may span lines). An empty unquoted field is null, allowed only in nullable
 * fields. bool takes true/false, timestamp[ms] epoch milliseconds or an ISO-8601 instant. A line that does
 * not fit fails the job with the file, the line number (1-based, the header included) and the field, e.g.
 * {@code orders.csv:17: field 2 ('amount', float64): cannot parse 'abc'}. One subtask reads the file.
 *
 * <pre>{@code
 * env.fromSource(new CsvSource(Path.of("orders.csv"), schema, true)).keyBy("customer").sum("amount");
 * }</pre>
 */
public final class CsvSource implements Source {
    private final Path file;
    private final BatchSchema schema;
    private final boolean header;
    private final char delimiter;

    /** Comma-separated, with a header line to skip when {@code header}. */
    public CsvSource(Path file, BatchSchema schema, boolean header) {
        this(file, schema, header, ',');
    }

    public CsvSource(Path file, BatchSchema schema, boolean header, char delimiter) {
        if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
            throw new IllegalArgumentException("a CSV delimiter cannot be a quote or a line break");
        }
        this.file = file;
        this.schema = schema;
        this.header = header;
        this.delimiter = delimiter;
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
    public SourceReader createReader(TaskContext context) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("CSV input " + file + " does not exist or is not a file");
        }
        return new Reader(Files.newBufferedReader(file, StandardCharsets.UTF_8), context);
    }

    private final class Reader implements SourceReader {
        private final BufferedReader in;
        private final TaskContext context;
        private final RecordBatch batch;
        private final List<String> fields = new ArrayList<>();
        private final boolean[] quoted = new boolean[schema.columnCount() + 1];
        private final StringBuilder field = new StringBuilder();
        private long lineNumber;
        private boolean finished;

        Reader(BufferedReader in, TaskContext context) {
            this.in = in;
            this.context = context;
            this.batch = RecordBatch.allocate(schema, context.allocator(), context.batchSize());
        }

        @Override
        public RecordBatch next() throws IOException {
            if (finished) {
                return null;
            }
            if (lineNumber == 0 && header) {
                if (readRecord() == -1) {
                    finished = true;
                    return null;
                }
            }
            for (int c = 0; c < schema.columnCount(); c++) {
                batch.vector(c).reset();
            }
            int rows = 0;
            while (rows < context.batchSize()) {
                long line = readRecord();
                if (line == -1) {
                    finished = true;
                    break;
                }
                if (fields.size() == 1 && fields.get(0).isEmpty() && !quoted[0] && schema.columnCount() > 1) {
                    continue;
                }
                if (fields.size() != schema.columnCount()) {
                    throw new IllegalArgumentException(file.getFileName() + ":" + line + ": " + fields.size()
                            + " fields, but the schema " + schema + " has " + schema.columnCount());
                }
                for (int c = 0; c < fields.size(); c++) {
                    write(rows, c, fields.get(c), quoted[c], line);
                }
                rows++;
            }
            batch.setRowCount(rows);
            return rows == 0 ? null : batch;
        }

        /** Reads one record into {@link #fields}; returns its first line's number, or -1 at end of file. */
        private long readRecord() throws IOException {
            String line = in.readLine();
            if (line == null) {
                return -1;
            }
            long first = ++lineNumber;
            fields.clear();
            field.setLength(0);
            int f = 0;
            boolean inQuotes = false;
            boolean wasQuoted = false;
            int i = 0;
            while (true) {
                if (i == line.length()) {
                    if (inQuotes) {
                        String next = in.readLine();
                        if (next == null) {
                            throw new IllegalArgumentException(file.getFileName() + ":" + first
                                    + ": a quoted field is not closed before the end of the file");
                        }
                        lineNumber++;
                        field.append('\n');
                        line = next;
                        i = 0;
                        continue;
                    }
                    break;
                }
                char ch = line.charAt(i++);
                if (inQuotes) {
                    if (ch == '"') {
                        if (i < line.length() && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            inQuotes = false;
                        }
                    } else {
                        field.append(ch);
                    }
                } else if (ch == delimiter) {
                    f = addField(f, wasQuoted);
                    wasQuoted = false;
                } else if (ch == '"' && field.length() == 0 && !wasQuoted) {
                    inQuotes = true;
                    wasQuoted = true;
                } else {
                    field.append(ch);
                }
            }
            addField(f, wasQuoted);
            return first;
        }

        private int addField(int f, boolean wasQuoted) {
            fields.add(field.toString());
            if (f < quoted.length) {
                quoted[f] = wasQuoted;
            }
            field.setLength(0);
            return f + 1;
        }

        private void write(int row, int c, String text, boolean wasQuoted, long line) {
            Column column = schema.column(c);
            // An empty unquoted field is null; in a non-nullable utf8 field it is the empty string ("" also is).
            if (text.isEmpty() && !wasQuoted && (column.nullable() || column.type() != ColumnType.UTF8)) {
                if (!column.nullable()) {
                    throw new IllegalArgumentException(where(line, c) + ": empty, but the field is not nullable");
                }
                batch.vector(c).setNull(row);
                return;
            }
            try {
                switch (column.type()) {
                    case INT32: batch.int32(c).setSafe(row, Integer.parseInt(text.trim())); break;
                    case INT64: batch.int64(c).setSafe(row, Long.parseLong(text.trim())); break;
                    case FLOAT64: batch.float64(c).setSafe(row, Double.parseDouble(text.trim())); break;
                    case BOOL: batch.bool(c).setSafe(row, parseBool(text.trim()) ? 1 : 0); break;
                    case UTF8: batch.utf8(c).setSafe(row, text.getBytes(StandardCharsets.UTF_8)); break;
                    default: batch.timestampMs(c).setSafe(row, parseTimestamp(text.trim())); break;
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new IllegalArgumentException(where(line, c) + ": cannot parse '" + text + "'");
            }
        }

        private String where(long line, int c) {
            return file.getFileName() + ":" + line + ": " + schema.describe(c);
        }

        @Override
        public boolean isFinished() {
            return finished;
        }

        @Override
        public void close() throws IOException {
            batch.close();
            in.close();
        }
    }

    private static boolean parseBool(String text) {
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new NumberFormatException(text);
    }

    private static long parseTimestamp(String text) {
        char first = text.isEmpty() ? ' ' : text.charAt(0);
        return Character.isDigit(first) && text.indexOf('T') < 0 || first == '-' ? Long.parseLong(text)
                : Instant.parse(text).toEpochMilli();
    }
}
