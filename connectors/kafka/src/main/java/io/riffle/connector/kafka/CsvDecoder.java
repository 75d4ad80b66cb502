package io.riffle.connector.kafka;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.file.CsvFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Each record's value as one CSV line, fields in the schema's order, read as the engine's CSV source reads a file's
 * lines ({@link CsvFormat}: RFC 4180 quoting; an empty unquoted field of a utf8 column is the empty string unless the
 * format says null; an empty field of another type is null). Integers are parsed from the bytes.
 */
final class CsvDecoder implements RecordDecoder {
    private final BatchSchema schema;
    private final CsvFormat format;
    private final ColumnType[] types;
    private final byte delimiter;
    private final byte quote;

    CsvDecoder(BatchSchema schema, CsvFormat format) {
        this.schema = schema;
        this.format = format;
        this.types = new ColumnType[schema.columnCount()];
        for (int c = 0; c < types.length; c++) {
            types[c] = schema.column(c).type();
        }
        this.delimiter = (byte) format.delimiter();
        this.quote = (byte) format.quote();
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public void decode(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row)
            throws RecordDecodeException {
        // Per call, not per decoder: the source's subtasks share the decoder.
        Scratch scratch = new Scratch();
        for (int i = from; i < to; i++, row++) {
            byte[] line = records.get(i).value();
            if (line == null) {
                throw new RecordDecodeException(i - from, "the record has no value (a tombstone)");
            }
            String problem = decodeLine(line, out, row, scratch);
            if (problem != null) {
                throw new RecordDecodeException(i - from, problem);
            }
        }
    }

    /** Writes the fields of {@code line} into {@code row}; returns null, or what is wrong with the line. */
    private String decodeLine(byte[] line, RecordBatch out, int row, Scratch scratch) {
        int end = line.length;
        while (end > 0 && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
            end--;
        }
        int at = 0;
        int column = 0;
        while (true) {
            if (column == types.length) {
                return "the line has more than the schema's " + types.length + " fields";
            }
            String problem;
            if (at < end && line[at] == quote) {
                int length = 0;
                int i = at + 1;
                while (true) {
                    if (i >= end) {
                        return "field '" + schema.column(column).name() + "': a quote is not closed";
                    }
                    if (line[i] == quote) {
                        if (i + 1 < end && line[i + 1] == quote) {
                            scratch.room(length + 1);
                            scratch.bytes[length++] = quote;
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    scratch.room(length + 1);
                    scratch.bytes[length++] = line[i++];
                }
                at = i + 1;
                if (at < end && line[at] != delimiter) {
                    return "field '" + schema.column(column).name() + "': text after its closing quote";
                }
                problem = length == 0 && types[column] != ColumnType.UTF8 ? setNull(out, column, row)
                        : FieldValues.parse(out, column, types[column], row, scratch.bytes, 0, length);
            } else {
                int start = at;
                while (at < end && line[at] != delimiter) {
                    at++;
                }
                boolean empty = at == start;
                problem = empty && (types[column] != ColumnType.UTF8 || format.emptyStringAsNull())
                        ? setNull(out, column, row)
                        : FieldValues.parse(out, column, types[column], row, line, start, at);
            }
            if (problem != null) {
                return "field '" + schema.column(column).name() + "': " + problem;
            }
            column++;
            if (at >= end) {
                break;
            }
            at++;
        }
        if (column != types.length) {
            return "the line has " + column + " fields, the schema has " + types.length;
        }
        return null;
    }

    private static String setNull(RecordBatch out, int column, int row) {
        FieldValues.setNull(out, column, row);
        return null;
    }

    /** A quoted field with doubled quotes, undoubled; grows to the longest such field. */
    private static final class Scratch {
        byte[] bytes = new byte[64];

        void room(int needed) {
            if (needed > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
            }
        }
    }
}
