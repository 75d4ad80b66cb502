package io.riffle.connector.kafka;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.file.CsvFormat;

/**
 * The built-in {@link RecordDecoder}s. Each reads a record's value; {@link #withRecordTimestamp} adds the Kafka
 * record's timestamp as a field, for event time from Kafka.
 *
 * <pre>{@code
 * RecordDecoders.csv(schema)                                   // "42,7,2026-12-08T10:00:00Z"
 * RecordDecoders.json(schema)                                  // {"key": 42, "value": 7}
 * RecordDecoders.fixedWidth(schema)                            // 16 bytes: int64 key, int64 value, little-endian
 * RecordDecoders.raw()                                         // key and value bytes, topic, partition, offset, time
 * RecordDecoders.withRecordTimestamp(RecordDecoders.lines("line"), "time")
 * }</pre>
 */
public final class RecordDecoders {
    private RecordDecoders() {
    }

    /** The value as one utf8 field named {@code field}; a value that is not UTF-8 fails to decode. */
    public static RecordDecoder lines(String field) {
        return new LinesDecoder(field);
    }

    /** The value as one CSV line of {@code schema}'s fields in order, comma-delimited and double-quoted. */
    public static RecordDecoder csv(BatchSchema schema) {
        return new CsvDecoder(schema, CsvFormat.DEFAULT);
    }

    /** The value as one CSV line of {@code schema}'s fields in order, in {@code format} (its header is not used). */
    public static RecordDecoder csv(BatchSchema schema, CsvFormat format) {
        return new CsvDecoder(schema, format);
    }

    /** The value as a JSON object whose fields are matched to {@code schema}'s by name. */
    public static RecordDecoder json(BatchSchema schema) {
        return new JsonDecoder(schema);
    }

    /**
     * The value as {@code schema}'s fields one after the other, little-endian: int32 in 4 bytes, int64, float64 and
     * timestamp[ms] in 8, bool in 1. Decoded a column at a time, the fastest decoder.
     */
    public static RecordDecoder fixedWidth(BatchSchema schema) {
        return new FixedWidthDecoder(schema);
    }

    /**
     * Each record as it is: {@code (key: binary, value: binary, topic: utf8, partition: int32, offset: int64,
     * timestamp: timestamp[ms])}; a null key or value stays null, nothing fails to decode.
     */
    public static RecordDecoder raw() {
        return new RawRecordDecoder();
    }

    /** {@code decoder}'s fields, then the Kafka record's timestamp as the timestamp[ms] field {@code field}. */
    public static RecordDecoder withRecordTimestamp(RecordDecoder decoder, String field) {
        return new RecordTimestampDecoder(decoder, field);
    }
}
