package io.riffle.connector.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;

/** Each row as a JSON object of its fields by name, with Jackson's generator: nulls as null, timestamps as epoch ms. */
final class JsonEncoder implements RecordEncoder {
    @Override
    public RowEncoder open(BatchSchema schema) {
        ColumnType[] types = new ColumnType[schema.columnCount()];
        String[] names = new String[types.length];
        for (int c = 0; c < types.length; c++) {
            types[c] = schema.column(c).type();
            names[c] = schema.column(c).name();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        JsonGenerator json;
        try {
            json = new JsonFactory().createGenerator(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        json.setRootValueSeparator(null);
        return new RowEncoder() {
            @Override
            public byte[] key(RecordBatch batch, int row) {
                return null;
            }

            @Override
            public byte[] value(RecordBatch batch, int row) {
                try {
                    bytes.reset();
                    json.writeStartObject();
                    for (int c = 0; c < types.length; c++) {
                        json.writeFieldName(names[c]);
                        if (batch.vector(c).isNull(row)) {
                            json.writeNull();
                            continue;
                        }
                        switch (types[c]) {
                            case INT64 -> json.writeNumber(batch.int64(c).get(row));
                            case INT32 -> json.writeNumber(batch.int32(c).get(row));
                            case TIMESTAMP_MS -> json.writeNumber(batch.timestampMs(c).get(row));
                            case FLOAT64 -> json.writeNumber(batch.float64(c).get(row));
                            case BOOL -> json.writeBoolean(batch.bool(c).get(row) != 0);
                            case UTF8 -> json.writeString(new String(batch.utf8(c).get(row), StandardCharsets.UTF_8));
                            default -> throw new IllegalArgumentException("field '" + names[c] + "' is " + types[c]
                                    + ": JSON has no form for it");
                        }
                    }
                    json.writeEndObject();
                    json.flush();
                    return bytes.toByteArray();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
