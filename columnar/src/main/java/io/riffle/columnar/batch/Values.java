package io.riffle.columnar.batch;

/**
 * How row values print: binary values ({@code byte[]}) as hex, {@code 0x0a1b}; everything else as
 * {@link String#valueOf(Object)}. Batches, tuples and the print sink share it so that one record reads the
 * same everywhere.
 */
public final class Values {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Values() {
    }

    /** Appends {@code value} to {@code out} as it prints in a record: {@code byte[]} as {@code 0x...}. */
    public static StringBuilder append(StringBuilder out, Object value) {
        if (!(value instanceof byte[])) {
            return out.append(value);
        }
        byte[] bytes = (byte[]) value;
        out.append("0x");
        for (byte b : bytes) {
            out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        return out;
    }

    /** {@code value} as it prints in a record: {@code byte[]} as {@code 0x...}. */
    public static String format(Object value) {
        return append(new StringBuilder(), value).toString();
    }
}
