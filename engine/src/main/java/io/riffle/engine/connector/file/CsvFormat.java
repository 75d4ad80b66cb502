package io.riffle.engine.connector.file;

/**
 * How a CSV file is laid out: the field delimiter, the quote character (RFC 4180 quoting: a quoted field
 * may hold delimiters, line breaks and doubled quotes) and whether the first line is a header. Shared by
 * {@link CsvSource} and {@link CsvSink}, so a file written with a format reads back with it. Immutable.
 *
 * <pre>{@code
 * CsvFormat tabs = CsvFormat.DEFAULT.withDelimiter('\t').withHeader(false);
 * }</pre>
 *
 * @param delimiter separates fields; an ASCII character other than the quote, CR and LF
 * @param quote     encloses fields that need it; an ASCII character other than CR and LF
 * @param header    true: the first line names the fields (the source skips it, the sink writes it)
 */
public record CsvFormat(char delimiter, char quote, boolean header) {
    /** Comma-delimited, double-quoted, with a header line. */
    public static final CsvFormat DEFAULT = new CsvFormat(',', '"', true);

    public CsvFormat {
        check("delimiter", delimiter);
        check("quote", quote);
        if (delimiter == quote) {
            throw new IllegalArgumentException("the CSV delimiter and quote must differ; both are '" + quote + "'");
        }
    }

    public CsvFormat withDelimiter(char delimiter) {
        return new CsvFormat(delimiter, quote, header);
    }

    public CsvFormat withQuote(char quote) {
        return new CsvFormat(delimiter, quote, header);
    }

    public CsvFormat withHeader(boolean header) {
        return new CsvFormat(delimiter, quote, header);
    }

    private static void check(String what, char c) {
        if (c >= 0x80 || c == '\n' || c == '\r') {
            throw new IllegalArgumentException("the CSV " + what
                    + " must be an ASCII character other than CR and LF, not " + String.format("U+%04X", (int) c));
        }
    }
}
