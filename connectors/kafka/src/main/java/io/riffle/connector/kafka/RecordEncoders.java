package io.riffle.connector.kafka;

import io.riffle.engine.connector.file.CsvFormat;

/**
 * The built-in {@link RecordEncoder}s, each the counterpart of a {@link RecordDecoders} decoder; keyed with
 * {@link RecordEncoder#withKey}.
 *
 * <pre>{@code
 * RecordEncoders.csv().withKey("word")           // key "apple", value "apple,3"
 * RecordEncoders.fixedWidth().withKey("key")      // key 8 bytes, value 16 bytes, little-endian
 * }</pre>
 */
public final class RecordEncoders {
    private RecordEncoders() {
    }

    /** One utf8 field as the value. */
    public static RecordEncoder lines(String field) {
        return new LinesEncoder(field);
    }

    /**
     * Field {@code value} (binary, or utf8 as its bytes) as the record value and the optional field {@code key}
     * (binary or utf8) as the key; a null value is a tombstone. Rows of {@link RecordDecoders#raw()} encode back to
     * the records they came from.
     */
    public static RecordEncoder raw() {
        return new RawRecordEncoder();
    }

    /** All fields as one CSV line, comma-delimited and double-quoted. */
    public static RecordEncoder csv() {
        return new CsvEncoder(CsvFormat.DEFAULT);
    }

    /** All fields as one CSV line in {@code format} (its header is not used). */
    public static RecordEncoder csv(CsvFormat format) {
        return new CsvEncoder(format);
    }

    /** All fields as a JSON object. */
    public static RecordEncoder json() {
        return new JsonEncoder();
    }

    /** All fields in the fixed-width little-endian layout {@link RecordDecoders#fixedWidth} reads. */
    public static RecordEncoder fixedWidth() {
        return new FixedWidthEncoder();
    }
}
