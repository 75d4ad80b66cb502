package io.riffle.connector.kafka;

import java.nio.charset.StandardCharsets;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.file.CsvFormat;

/**
 * Each row as one CSV line in {@link CsvFormat}, as the engine's CSV sink writes a file's lines: a null is an empty
 * field, the empty string {@code ""}, a field holding the delimiter, the quote or a line break is quoted.
 */
final class CsvEncoder implements RecordEncoder {
    private final CsvFormat format;

    CsvEncoder(CsvFormat format) {
        this.format = format;
    }

    @Override
    public RowEncoder open(BatchSchema schema) {
        ColumnType[] types = new ColumnType[schema.columnCount()];
        for (int c = 0; c < types.length; c++) {
            types[c] = schema.column(c).type();
            if (types[c] != ColumnType.UTF8 && types[c] != ColumnType.INT64 && types[c] != ColumnType.INT32
                    && types[c] != ColumnType.FLOAT64 && types[c] != ColumnType.BOOL
                    && types[c] != ColumnType.TIMESTAMP_MS) {
                throw new IllegalArgumentException("field '" + schema.column(c).name() + "' is " + types[c]
                        + ": CSV has no text form for it");
            }
        }
        char delimiter = format.delimiter();
        char quote = format.quote();
        return new RowEncoder() {
            private final StringBuilder line = new StringBuilder();

            @Override
            public byte[] key(RecordBatch batch, int row) {
                return null;
            }

            @Override
            public byte[] value(RecordBatch batch, int row) {
                line.setLength(0);
                for (int c = 0; c < types.length; c++) {
                    if (c > 0) {
                        line.append(delimiter);
                    }
                    if (batch.vector(c).isNull(row)) {
                        continue;
                    }
                    if (types[c] == ColumnType.UTF8) {
                        String text = new String(batch.utf8(c).get(row), StandardCharsets.UTF_8);
                        appendQuoted(line, text, delimiter, quote);
                    } else {
                        FieldText.append(line, batch, c, types[c], row);
                    }
                }
                return line.toString().getBytes(StandardCharsets.UTF_8);
            }
        };
    }

    private static void appendQuoted(StringBuilder line, String s, char delimiter, char quote) {
        boolean needs = s.isEmpty();
        for (int i = 0; i < s.length() && !needs; i++) {
            char ch = s.charAt(i);
            needs = ch == delimiter || ch == quote || ch == '\n' || ch == '\r';
        }
        if (!needs) {
            line.append(s);
            return;
        }
        line.append(quote);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == quote) {
                line.append(quote);
            }
            line.append(ch);
        }
        line.append(quote);
    }
}
