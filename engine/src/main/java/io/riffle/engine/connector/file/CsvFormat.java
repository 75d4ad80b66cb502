package io.riffle.engine.connector.file;

/**
 * How a CSV file is laid out: the field delimiter, the quote character (RFC 4180 quoting: a quoted field
 * may hold delimiters, line breaks and doubled quotes), whether the first line is a header, and what an empty
 * unquoted field of a utf8 column is. Shared by {@link CsvSource} and {@link CsvSink}. Immutable.
 *
 * <pre>{@code
 * CsvFormat tabs = CsvFormat.DEFAULT.withDelimiter('\t').withHeader(false);
 * CsvFormat nulls = CsvFormat.DEFAULT.withEmptyStringAsNull(true);   // a,,b: the middle field is null
 * }</pre>
 *
 * @param delimiter         separates fields; an ASCII character other than the quote, CR and LF
 * @param quote             encloses fields that need it; an ASCII character other than CR and LF
 * @param header            true: the first line names the fields (the source skips it, the sink writes it)
 * @param emptyStringAsNull what the source makes of an empty unquoted field in a utf8 column: false (the
 *                          default, as Flink's CSV format without {@code csv.null-literal}) the empty string,
 *                          true null. A quoted empty field ({@code ""}) is the empty string either way, and an
 *                          empty field of another type is null either way. {@link CsvSink} writes a null as an
 *                          empty field and the empty string as {@code ""}, so a null of a utf8 column reads back
 *                          as null only with {@code true}.
 */
public record CsvFormat(char delimiter, char quote, boolean header, boolean emptyStringAsNull) {
    /** Comma-delimited, double-quoted, with a header line; an empty unquoted string field is the empty string. */
    public static final CsvFormat DEFAULT = new CsvFormat(',', '"', true, false);

    public CsvFormat {
        check("delimiter", delimiter);
        check("quote", quote);
        if (delimiter == quote) {
            throw new IllegalArgumentException("the CSV delimiter and quote must differ; both are '" + quote + "'");
        }
    }

    public CsvFormat withDelimiter(char delimiter) {
        return new CsvFormat(delimiter, quote, header, emptyStringAsNull);
    }

    public CsvFormat withQuote(char quote) {
        return new CsvFormat(delimiter, quote, header, emptyStringAsNull);
    }

    public CsvFormat withHeader(boolean header) {
        return new CsvFormat(delimiter, quote, header, emptyStringAsNull);
    }

    /** Whether an empty unquoted field of a utf8 column is read as null (true) or as the empty string (false). */
    public CsvFormat withEmptyStringAsNull(boolean emptyStringAsNull) {
        return new CsvFormat(delimiter, quote, header, emptyStringAsNull);
    }

    private static void check(String what, char c) {
        if (c >= 0x80 || c == '\n' || c == '\r') {
            throw new IllegalArgumentException("the CSV " + what
                    + " must be an ASCII character other than CR and LF, not " + String.format("U+%04X", (int) c));
        }
    }
}
