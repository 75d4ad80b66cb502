package io.riffle.engine.connector.file;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.internal.connector.Utf8FileReader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Parses a CSV file straight into the vectors of one reused batch, up to a batch of rows per call. A
 * character-level state machine over a buffer, so that quoted fields may span lines and every line is
 * counted. Single-threaded.
 */
final class CsvSourceReader implements SourceReader {
    /** How a field ended. */
    private static final int END_OF_FIELD = 0;
    private static final int END_OF_RECORD = 1;
    private static final int END_OF_INPUT = 2;
    /** The row index that tells {@link #readRecord} to discard the record (the header). */
    private static final int SKIP = -1;
    /** The most characters of a field an error message quotes. */
    private static final int SNIPPET_LENGTH = 40;
    private static final char BYTE_ORDER_MARK = '\uFEFF';
    /** What {@link #canonicalInstant} gives for text in another form: no canonical instant is this early. */
    private static final long NOT_CANONICAL = Long.MIN_VALUE;

    private final Path file;
    private final BatchSchema schema;
    private final ColumnType[] types;
    private final boolean[] nullable;
    private final FieldVector[] vectors;
    private final char delimiter;
    private final char quote;
    private final boolean header;
    /** An empty unquoted field of a utf8 column is null rather than the empty string. */
    private final boolean emptyStringAsNull;
    private final int batchSize;
    /** Fails naming the line and column of bytes that are not UTF-8. */
    private final Reader in;
    private final RecordBatch batch;
    private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);

    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;
    /** The current field's characters, unquoted; {@link #fieldChars} views them for parsing and encoding. */
    private char[] field = new char[256];
    private CharBuffer fieldChars = CharBuffer.wrap(field);
    private int fieldLength;
    private boolean fieldQuoted;
    private ByteBuffer bytes = ByteBuffer.allocate(1024);
    /** The 1-based line of the next character. */
    private long line = 1;
    private boolean started;
    private boolean finished;
    /** Records to pass over before the first batch: where a restored reader goes on from. */
    private long skip;
    /** Records returned so far, counting those skipped: the reader's position. */
    private long records;

    CsvSourceReader(Path file, BatchSchema schema, CsvFormat format, BufferAllocator allocator, int batchSize,
                    long skip) throws IOException {
        this.file = file;
        this.skip = skip;
        this.records = skip;
        this.schema = schema;
        int n = schema.columnCount();
        this.types = new ColumnType[n];
        this.nullable = new boolean[n];
        for (int c = 0; c < n; c++) {
            types[c] = schema.column(c).type();
            nullable[c] = schema.column(c).nullable();
        }
        this.delimiter = format.delimiter();
        this.quote = format.quote();
        this.header = format.header();
        this.emptyStringAsNull = format.emptyStringAsNull();
        this.batchSize = batchSize;
        this.in = new Utf8FileReader(file);
        try {
            this.batch = RecordBatch.allocate(schema, allocator, batchSize);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
        this.vectors = new FieldVector[n];
        for (int c = 0; c < n; c++) {
            vectors[c] = batch.vector(c);
        }
    }

    @Override
    public RecordBatch next() throws IOException {
        if (finished) {
            return null;
        }
        if (!started) {
            started = true;
            if (peek() == BYTE_ORDER_MARK) {
                position++;
            }
            if (header && !readRecord(SKIP)) {
                finished = true;
                return null;
            }
            for (; skip > 0; skip--) {
                if (!readRecord(SKIP)) {
                    finished = true;
                    return null;
                }
            }
        }
        batch.setRowCount(0);
        int rows = 0;
        while (rows < batchSize && readRecord(rows)) {
            rows++;
        }
        batch.setRowCount(rows);
        records += rows;
        if (rows < batchSize) {
            finished = true;
        }
        return rows == 0 ? null : batch;
    }

    @Override
    public boolean isFinished() {
        return finished;
    }

    /** The number of records returned: a restored reader passes over that many (parsing, not storing them). */
    @Override
    public byte[] position() {
        return ByteBuffer.allocate(8).putLong(records).array();
    }

    @Override
    public void close() throws IOException {
        try {
            batch.close();
        } finally {
            in.close();
        }
    }

    /** Parses one record into {@code row} of the batch, or discards it for {@link #SKIP}; false at end of input. */
    private boolean readRecord(int row) throws IOException {
        if (types.length > 1) {
            skipBlankLines();
        }
        if (peek() < 0) {
            return false;
        }
        int column = 0;
        long fieldLine;
        int end;
        do {
            fieldLine = line;
            end = readField(column);
            if (row != SKIP) {
                if (column >= types.length) {
                    throw error(fieldLine, "extra field '" + snippet() + "': the schema has " + types.length
                            + " fields " + schema);
                }
                store(row, column, fieldLine);
            }
            column++;
        } while (end == END_OF_FIELD);
        if (row != SKIP && column < types.length) {
            throw error(fieldLine, column + (column == 1 ? " field" : " fields") + ", expected " + types.length + ": "
                    + schema.describe(column) + " is missing");
        }
        return true;
    }

    /**
     * With several fields a blank line cannot be a record, so it is skipped (as editors leave a trailing one);
     * with one field it is a record whose field is empty.
     */
    private void skipBlankLines() throws IOException {
        while (true) {
            int c = peek();
            if (c == '\n') {
                position++;
            } else if (c == '\r') {
                position++;
                if (peek() == '\n') {
                    position++;
                }
            } else {
                return;
            }
            line++;
        }
    }

    /** Reads one field into {@link #field}, unquoting it, and the character that ends it; says how it ended. */
    private int readField(int column) throws IOException {
        fieldLength = 0;
        fieldQuoted = false;
        int c = read();
        if (c == quote) {
            fieldQuoted = true;
            long start = line;
            while (true) {
                c = read();
                if (c < 0) {
                    throw error(start, describe(column) + ": no closing quote for '" + quote + snippet() + "'");
                }
                if (c == quote) {
                    if (peek() != quote) {
                        break;
                    }
                    position++;
                } else if (c == '\n' || (c == '\r' && peek() != '\n')) {
                    line++;
                }
                append((char) c);
            }
            c = read();
            if (c >= 0 && c != delimiter && c != '\n' && c != '\r') {
                throw error(line, describe(column) + ": unexpected '" + (char) c + "' after the closing quote of '"
                        + quote + snippet() + quote + "'");
            }
        } else {
            while (c >= 0 && c != delimiter && c != '\n' && c != '\r') {
                append((char) c);
                c = read();
            }
        }
        if (c == delimiter) {
            return END_OF_FIELD;
        }
        if (c < 0) {
            return END_OF_INPUT;
        }
        if (c == '\r' && peek() == '\n') {
            position++;
        }
        line++;
        return END_OF_RECORD;
    }

    /** Writes the current field to {@code row} of column {@code column}. */
    private void store(int row, int column, long fieldLine) throws IOException {
        FieldVector vector = vectors[column];
        ColumnType type = types[column];
        // An empty utf8 field is the empty string when quoted or so configured; an empty binary one when quoted.
        boolean emptyValue = type == ColumnType.UTF8 && (fieldQuoted || !emptyStringAsNull)
                || type == ColumnType.BINARY && fieldQuoted;
        if (fieldLength == 0 && !emptyValue) {
            if (!nullable[column]) {
                throw error(fieldLine, schema.describe(column) + (type == ColumnType.UTF8
                        ? ": empty, read as null by CsvFormat.withEmptyStringAsNull(true), but the field is not"
                        + " nullable: read it as the empty string with withEmptyStringAsNull(false), or declare the"
                        + " field Column.nullable"
                        : ": empty, but the field is not nullable: declare it Column.nullable to read an empty field"
                        + " as null"));
            }
            vector.setNull(row);
            return;
        }
        fieldChars.clear().limit(fieldLength);
        try {
            switch (type) {
                case INT32:
                    ((IntVector) vector).setSafe(row, Integer.parseInt(fieldChars, 0, fieldLength, 10));
                    break;
                case INT64:
                    ((BigIntVector) vector).setSafe(row, Long.parseLong(fieldChars, 0, fieldLength, 10));
                    break;
                case FLOAT64:
                    ((Float8Vector) vector).setSafe(row, Double.parseDouble(text()));
                    break;
                case BOOL:
                    ((BitVector) vector).setSafe(row, parseBool(column, fieldLine) ? 1 : 0);
                    break;
                case UTF8:
                    storeUtf8((VarCharVector) vector, row);
                    break;
                case TIMESTAMP_MS:
                    ((TimeStampMilliVector) vector).setSafe(row, parseTimestamp());
                    break;
                case BINARY:
                    storeBinary((VarBinaryVector) vector, row, column, fieldLine);
                    break;
                default:
                    throw new IllegalStateException("unknown type " + type);
            }
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw error(fieldLine, schema.describe(column) + ": cannot parse '" + snippet() + "'"
                    + (type == ColumnType.TIMESTAMP_MS
                    ? "; expected epoch milliseconds or an ISO-8601 instant such as 2026-01-02T03:04:05Z" : ""));
        }
    }

    private boolean parseBool(int column, long fieldLine) throws IOException {
        if (matches("true")) {
            return true;
        }
        if (matches("false")) {
            return false;
        }
        throw error(fieldLine, schema.describe(column) + ": cannot parse '" + snippet()
                + "'; expected true or false");
    }

    private boolean matches(String word) {
        if (fieldLength != word.length()) {
            return false;
        }
        for (int i = 0; i < fieldLength; i++) {
            if (Character.toLowerCase(field[i]) != word.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Epoch milliseconds, or an ISO-8601 instant: the form CsvSink writes is read here, others by Instant.parse. */
    private long parseTimestamp() {
        if (isInteger()) {
            return Long.parseLong(fieldChars, 0, fieldLength, 10);
        }
        long millis = canonicalInstant();
        return millis != NOT_CANONICAL ? millis : Instant.parse(text()).toEpochMilli();
    }

    /**
     * The epoch milliseconds of {@code yyyy-MM-ddTHH:mm:ssZ} or {@code yyyy-MM-ddTHH:mm:ss.SSSZ} (years 0000 to
     * 9999), the form {@link Instant#toString} gives a millisecond instant; {@link #NOT_CANONICAL} for anything
     * else. Reads such a timestamp about seven times faster than {@link Instant#parse}, with the same result.
     */
    private long canonicalInstant() {
        int n = fieldLength;
        char[] f = field;
        if ((n != 20 && n != 24) || f[4] != '-' || f[7] != '-' || f[10] != 'T' || f[13] != ':' || f[16] != ':'
                || f[n - 1] != 'Z' || (n == 24 && f[19] != '.')) {
            return NOT_CANONICAL;
        }
        int year = digits(0, 4);
        int month = digits(5, 2);
        int day = digits(8, 2);
        int hour = digits(11, 2);
        int minute = digits(14, 2);
        int second = digits(17, 2);
        int millis = n == 24 ? digits(20, 3) : 0;
        if ((year | month | day | hour | minute | second | millis) < 0 || month < 1 || month > 12 || day < 1
                || day > Month.of(month).length(Year.isLeap(year)) || hour > 23 || minute > 59 || second > 59) {
            return NOT_CANONICAL;
        }
        long seconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3_600L + minute * 60L + second;
        return seconds * 1_000L + millis;
    }

    /** The value of the {@code count} decimal digits at {@code from} in the field, or -1 if one is not a digit. */
    private int digits(int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int digit = field[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    /** True when the field is an optionally signed run of digits: epoch milliseconds rather than an instant. */
    private boolean isInteger() {
        int i = field[0] == '-' || field[0] == '+' ? 1 : 0;
        if (i == fieldLength) {
            return false;
        }
        for (; i < fieldLength; i++) {
            if (field[i] < '0' || field[i] > '9') {
                return false;
            }
        }
        return true;
    }

    private void storeUtf8(VarCharVector vector, int row) {
        int most = fieldLength * 3;
        if (bytes.capacity() < most) {
            bytes = ByteBuffer.allocate(Math.max(most, bytes.capacity() * 2));
        }
        bytes.clear();
        utf8.reset();
        utf8.encode(fieldChars, bytes, true);
        utf8.flush(bytes);
        vector.setSafe(row, bytes.array(), 0, bytes.position());
    }

    private void storeBinary(VarBinaryVector vector, int row, int column, long fieldLine) throws IOException {
        int most = Base64Text.decodedLength(fieldLength);
        if (bytes.capacity() < most) {
            bytes = ByteBuffer.allocate(Math.max(most, bytes.capacity() * 2));
        }
        int length = Base64Text.decode(field, fieldLength, bytes.array());
        if (length < 0) {
            throw error(fieldLine, schema.describe(column) + ": cannot parse '" + snippet()
                    + "'; expected base64 (RFC 4648, padded with '=')");
        }
        vector.setSafe(row, bytes.array(), 0, length);
    }

    private String text() {
        return new String(field, 0, fieldLength);
    }

    /** The start of the current field for an error message: its first line, at most {@link #SNIPPET_LENGTH} chars. */
    private String snippet() {
        int n = 0;
        while (n < fieldLength && n < SNIPPET_LENGTH && field[n] != '\n' && field[n] != '\r') {
            n++;
        }
        return n < fieldLength ? new String(field, 0, n) + "..." : new String(field, 0, n);
    }

    private String describe(int column) {
        return column < types.length ? schema.describe(column) : "field " + column;
    }

    private IOException error(long errorLine, String message) {
        return new IOException(file + ":" + errorLine + ": " + message);
    }

    private void append(char c) {
        if (fieldLength == field.length) {
            field = Arrays.copyOf(field, field.length * 2);
            fieldChars = CharBuffer.wrap(field);
        }
        field[fieldLength++] = c;
    }

    private int read() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++];
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position];
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }
}
