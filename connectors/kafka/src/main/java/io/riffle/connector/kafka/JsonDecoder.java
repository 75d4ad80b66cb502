package io.riffle.connector.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Each record's value as a JSON object, its fields matched to the schema's by name with Jackson's streaming parser:
 * a missing field or a JSON null is null, an unknown field is passed over (nested values too). Numbers must fit
 * their column; a timestamp is epoch milliseconds or an ISO-8601 instant string.
 */
final class JsonDecoder implements RecordDecoder {
    private final BatchSchema schema;
    private final ColumnType[] types;
    private final Map<String, Integer> columns = new HashMap<>();
    private final JsonFactory json = new JsonFactory();

    JsonDecoder(BatchSchema schema) {
        this.schema = schema;
        this.types = new ColumnType[schema.columnCount()];
        for (int c = 0; c < types.length; c++) {
            types[c] = schema.column(c).type();
            columns.put(schema.column(c).name(), c);
        }
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public void decode(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row)
            throws RecordDecodeException {
        // The columns a record set, so that the rest are made null; per call, as the source's subtasks share the
        // decoder.
        boolean[] seen = new boolean[types.length];
        for (int i = from; i < to; i++, row++) {
            byte[] value = records.get(i).value();
            if (value == null) {
                throw new RecordDecodeException(i - from, "the record has no value (a tombstone)");
            }
            try {
                String problem = decodeObject(value, out, row, seen);
                if (problem != null) {
                    throw new RecordDecodeException(i - from, problem);
                }
            } catch (IOException e) {
                String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
                throw new RecordDecodeException(i - from, "not JSON: " + why, e);
            }
        }
    }

    private String decodeObject(byte[] value, RecordBatch out, int row, boolean[] seen) throws IOException {
        java.util.Arrays.fill(seen, false);
        try (JsonParser parser = json.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "the value is not a JSON object";
            }
            for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                if (t == null) {
                    return "the JSON object is not closed";
                }
                Integer column = columns.get(parser.currentName());
                JsonToken v = parser.nextToken();
                if (column == null) {
                    parser.skipChildren();
                    continue;
                }
                seen[column] = true;
                String problem = v == JsonToken.VALUE_NULL ? setNull(out, column, row)
                        : set(parser, v, out, column, row);
                if (problem != null) {
                    return "field '" + schema.column(column).name() + "': " + problem;
                }
            }
            if (parser.nextToken() != null) {
                return "text after the JSON object";
            }
        }
        for (int c = 0; c < seen.length; c++) {
            if (!seen[c]) {
                FieldValues.setNull(out, c, row);
            }
        }
        return null;
    }

    private String set(JsonParser parser, JsonToken v, RecordBatch out, int column, int row) throws IOException {
        ColumnType type = types[column];
        switch (type) {
            case UTF8 -> {
                if (v != JsonToken.VALUE_STRING) {
                    return parser.getText() + " is not a string";
                }
                out.utf8(column).setSafe(row, parser.getText().getBytes(StandardCharsets.UTF_8));
            }
            case INT32, INT64, TIMESTAMP_MS -> {
                if (v == JsonToken.VALUE_STRING && type == ColumnType.TIMESTAMP_MS) {
                    byte[] text = parser.getText().getBytes(StandardCharsets.UTF_8);
                    return FieldValues.parse(out, column, type, row, text, 0, text.length);
                }
                if (v != JsonToken.VALUE_NUMBER_INT) {
                    return parser.getText() + " is not an integer";
                }
                JsonParser.NumberType size = parser.getNumberType();
                if (size == JsonParser.NumberType.BIG_INTEGER
                        || (type == ColumnType.INT32 && size != JsonParser.NumberType.INT)) {
                    return parser.getText() + " is out of the " + type + " range";
                }
                long n = parser.getLongValue();
                if (type == ColumnType.INT32) {
                    ((IntVector) out.vector(column)).setSafe(row, (int) n);
                } else if (type == ColumnType.INT64) {
                    ((BigIntVector) out.vector(column)).setSafe(row, n);
                } else {
                    ((TimeStampMilliVector) out.vector(column)).setSafe(row, n);
                }
            }
            case FLOAT64 -> {
                if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
                    return parser.getText() + " is not a number";
                }
                ((Float8Vector) out.vector(column)).setSafe(row, parser.getDoubleValue());
            }
            case BOOL -> {
                if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
                    return parser.getText() + " is not true or false";
                }
                ((BitVector) out.vector(column)).setSafe(row, v == JsonToken.VALUE_TRUE ? 1 : 0);
            }
            default -> {
                return "a " + type + " field cannot be read from JSON";
            }
        }
        return null;
    }

    private static String setNull(RecordBatch out, int column, int row) {
        FieldValues.setNull(out, column, row);
        return null;
    }
}
