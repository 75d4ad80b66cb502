package io.riffle.engine.connector.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.engine.connector.SinkWriter;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Writes batches as CSV bytes into a {@link StagedFile} through its own buffer: strings go from the
 * vectors' UTF-8 bytes to the buffer without decoding, numbers through one reused StringBuilder.
 * Single-threaded.
 */
final class CsvSinkWriter implements SinkWriter {
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    private final StagedFile file;
    private final ColumnType[] types;
    private final FieldVector[] vectors;
    private final byte delimiter;
    private final byte quote;
    private final byte[] buffer = new byte[1 << 16];
    private final ByteBuffer bufferView = ByteBuffer.wrap(buffer);
    private int position;
    /** Numbers and timestamps as text, before they are copied into the buffer. */
    private final StringBuilder ascii = new StringBuilder(32);
    private byte[] text = new byte[256];
    /** A binary value as base64 text (RFC 4648), reused. */
    private byte[] base64 = new byte[344];

    private CsvSinkWriter(StagedFile file, BatchSchema schema, CsvFormat format) {
        this.file = file;
        int n = schema.columnCount();
        this.types = new ColumnType[n];
        this.vectors = new FieldVector[n];
        for (int c = 0; c < n; c++) {
            types[c] = schema.column(c).type();
        }
        this.delimiter = (byte) format.delimiter();
        this.quote = (byte) format.quote();
    }

    /** A writer of the file {@code target}, which appears there on {@link #finish()}; the header is written. */
    static CsvSinkWriter open(Path target, BatchSchema schema, CsvFormat format) throws IOException {
        StagedFile file = StagedFile.create(target);
        CsvSinkWriter writer = new CsvSinkWriter(file, schema, format);
        try {
            if (format.header()) {
                writer.putHeader(schema);
            }
        } catch (IOException | RuntimeException e) {
            file.discard(e);
            throw e;
        }
        return writer;
    }

    /** A writer that appends to {@code file}, resumed after a restore; no header is written. */
    static CsvSinkWriter resume(StagedFile file, BatchSchema schema, CsvFormat format) {
        return new CsvSinkWriter(file, schema, format);
    }

    /** The file being written. */
    StagedFile file() {
        return file;
    }

    /** Writes out the buffer, forces the file to disk and returns its length. */
    long sync() throws IOException {
        drain();
        return file.sync();
    }

    @Override
    public void write(RecordBatch batch) throws IOException {
        for (int c = 0; c < vectors.length; c++) {
            vectors[c] = batch.vector(c);
        }
        SelectionVector selection = batch.selection();
        int rows = batch.selectedRowCount();
        for (int i = 0; i < rows; i++) {
            int row = selection == null ? i : selection.get(i);
            for (int c = 0; c < vectors.length; c++) {
                if (c > 0) {
                    put(delimiter);
                }
                if (!vectors[c].isNull(row)) {
                    putValue(c, row);
                }
            }
            put((byte) '\n');
        }
    }

    @Override
    public void finish() throws IOException {
        drain();
        file.commit();
    }

    /** Like {@link #finish()}, the file appearing as {@code target} instead of the one it was opened for. */
    void finishAs(Path target) throws IOException {
        drain();
        file.commitAs(target);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    private void putHeader(BatchSchema schema) throws IOException {
        for (int c = 0; c < schema.columnCount(); c++) {
            if (c > 0) {
                put(delimiter);
            }
            byte[] name = schema.column(c).name().getBytes(StandardCharsets.UTF_8);
            putText(name, name.length);
        }
        put((byte) '\n');
    }

    private void putValue(int c, int row) throws IOException {
        FieldVector vector = vectors[c];
        switch (types[c]) {
            case INT32:
                ascii.setLength(0);
                putAscii(ascii.append(((IntVector) vector).get(row)));
                break;
            case INT64:
                ascii.setLength(0);
                putAscii(ascii.append(((BigIntVector) vector).get(row)));
                break;
            case FLOAT64:
                ascii.setLength(0);
                putAscii(ascii.append(((Float8Vector) vector).get(row)));
                break;
            case BOOL:
                byte[] word = ((BitVector) vector).get(row) != 0 ? TRUE : FALSE;
                putBytes(word, word.length);
                break;
            case UTF8:
                VarCharVector strings = (VarCharVector) vector;
                int start = strings.getStartOffset(row);
                int length = strings.getEndOffset(row) - start;
                if (text.length < length) {
                    text = new byte[Math.max(length, text.length * 2)];
                }
                strings.getDataBuffer().getBytes(start, text, 0, length);
                putText(text, length);
                break;
            case BINARY:
                VarBinaryVector binary = (VarBinaryVector) vector;
                int from = binary.getStartOffset(row);
                int size = binary.getEndOffset(row) - from;
                if (text.length < size) {
                    text = new byte[Math.max(size, text.length * 2)];
                }
                binary.getDataBuffer().getBytes(from, text, 0, size);
                int encoded = Base64Text.encodedLength(size);
                if (base64.length < encoded) {
                    base64 = new byte[Math.max(encoded, base64.length * 2)];
                }
                putText(base64, Base64Text.encode(text, size, base64));
                break;
            case TIMESTAMP_MS:
                ascii.setLength(0);
                DateTimeFormatter.ISO_INSTANT.formatTo(Instant.ofEpochMilli(((TimeStampMilliVector) vector).get(row)),
                        ascii);
                putAscii(ascii);
                break;
            default:
                throw new IllegalStateException("unknown type " + types[c]);
        }
    }

    /** Writes UTF-8 text, quoted when it is empty or holds the delimiter, the quote, CR or LF. */
    private void putText(byte[] bytes, int length) throws IOException {
        boolean quoted = length == 0;
        for (int i = 0; i < length && !quoted; i++) {
            byte b = bytes[i];
            quoted = b == delimiter || b == quote || b == '\n' || b == '\r';
        }
        if (!quoted) {
            putBytes(bytes, length);
            return;
        }
        put(quote);
        for (int i = 0; i < length; i++) {
            if (bytes[i] == quote) {
                put(quote);
            }
            put(bytes[i]);
        }
        put(quote);
    }

    private void putAscii(CharSequence chars) throws IOException {
        for (int i = 0; i < chars.length(); i++) {
            put((byte) chars.charAt(i));
        }
    }

    private void putBytes(byte[] bytes, int length) throws IOException {
        int done = 0;
        while (done < length) {
            if (position == buffer.length) {
                drain();
            }
            int n = Math.min(length - done, buffer.length - position);
            System.arraycopy(bytes, done, buffer, position, n);
            position += n;
            done += n;
        }
    }

    private void put(byte b) throws IOException {
        if (position == buffer.length) {
            drain();
        }
        buffer[position++] = b;
    }

    private void drain() throws IOException {
        bufferView.clear().limit(position);
        while (bufferView.hasRemaining()) {
            file.channel().write(bufferView);
        }
        position = 0;
    }
}
