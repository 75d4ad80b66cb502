package io.riffle.connector.kafka;

import java.nio.charset.StandardCharsets;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;

/** A column's value as text, for the text encoders: numbers in decimal, timestamps as epoch milliseconds. */
final class FieldText {
    private FieldText() {
    }

    /** Appends row {@code row}'s value of {@code column} (not null) to {@code text}. */
    static void append(StringBuilder text, RecordBatch batch, int column, ColumnType type, int row) {
        switch (type) {
            case INT64 -> text.append(batch.int64(column).get(row));
            case INT32 -> text.append(batch.int32(column).get(row));
            case TIMESTAMP_MS -> text.append(batch.timestampMs(column).get(row));
            case FLOAT64 -> text.append(batch.float64(column).get(row));
            case BOOL -> text.append(batch.bool(column).get(row) != 0);
            case UTF8 -> text.append(new String(batch.utf8(column).get(row), StandardCharsets.UTF_8));
            default -> throw new IllegalArgumentException("a " + type + " field has no text form");
        }
    }
}
