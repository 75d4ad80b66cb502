package io.riffle.connector.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * Parsing a field's text (CSV, JSON strings) into a column of a batch, and writing a column's value as text: what the
 * text codecs share. Numbers are parsed from the bytes without a String where they are integers; a timestamp is
 * epoch milliseconds or an ISO-8601 instant.
 */
final class FieldValues {
    private FieldValues() {
    }

    /**
     * Sets {@code out}'s {@code column} at {@code row} to the text {@code bytes[from, to)} read as {@code type};
     * returns null, or why the text is not such a value.
     */
    static String parse(RecordBatch out, int column, ColumnType type, int row, byte[] bytes, int from, int to) {
        FieldVector v = out.vector(column);
        switch (type) {
            case UTF8 -> {
                ((VarCharVector) v).setSafe(row, bytes, from, to - from);
                return null;
            }
            case INT32, INT64 -> {
                long value;
                try {
                    value = parseLong(bytes, from, to);
                } catch (NumberFormatException e) {
                    return "'" + text(bytes, from, to) + "' is not an " + type;
                }
                if (type == ColumnType.INT32) {
                    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
                        return "'" + text(bytes, from, to) + "' is out of the int32 range";
                    }
                    ((IntVector) v).setSafe(row, (int) value);
                } else {
                    ((BigIntVector) v).setSafe(row, value);
                }
                return null;
            }
            case TIMESTAMP_MS -> {
                long value;
                try {
                    value = parseLong(bytes, from, to);
                } catch (NumberFormatException notMillis) {
                    try {
                        value = Instant.parse(text(bytes, from, to)).toEpochMilli();
                    } catch (DateTimeParseException | ArithmeticException e) {
                        return "'" + text(bytes, from, to) + "' is neither epoch milliseconds nor an ISO-8601 instant";
                    }
                }
                ((TimeStampMilliVector) v).setSafe(row, value);
                return null;
            }
            case FLOAT64 -> {
                try {
                    ((Float8Vector) v).setSafe(row, Double.parseDouble(text(bytes, from, to)));
                    return null;
                } catch (NumberFormatException e) {
                    return "'" + text(bytes, from, to) + "' is not a float64";
                }
            }
            case BOOL -> {
                String s = text(bytes, from, to);
                if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
                    ((BitVector) v).setSafe(row, s.equalsIgnoreCase("true") ? 1 : 0);
                    return null;
                }
                return "'" + s + "' is not a bool (true or false)";
            }
            default -> {
                return "a " + type + " field cannot be read from text";
            }
        }
    }

    /** Marks {@code column} at {@code row} null. */
    static void setNull(RecordBatch out, int column, int row) {
        FieldVector v = out.vector(column);
        if (v instanceof VarCharVector s) {
            s.setNull(row);
        } else if (v instanceof BigIntVector l) {
            l.setNull(row);
        } else if (v instanceof IntVector i) {
            i.setNull(row);
        } else if (v instanceof Float8Vector d) {
            d.setNull(row);
        } else if (v instanceof BitVector b) {
            b.setNull(row);
        } else if (v instanceof TimeStampMilliVector t) {
            t.setNull(row);
        }
    }

    /**
     * The decimal integer {@code bytes[from, to)}, optionally signed, parsed without a String; throws
     * {@link NumberFormatException} for anything else or a value out of the long range.
     */
    static long parseLong(byte[] bytes, int from, int to) {
        if (from >= to) {
            throw new NumberFormatException();
        }
        boolean negative = bytes[from] == '-';
        int i = negative || bytes[from] == '+' ? from + 1 : from;
        if (i == to) {
            throw new NumberFormatException();
        }
        // Accumulated negative, as Long.parseLong does, so that Long.MIN_VALUE fits.
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long lowestBeforeDigit = limit / 10;
        long result = 0;
        for (; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9 || result < lowestBeforeDigit) {
                throw new NumberFormatException();
            }
            result *= 10;
            if (result < limit + digit) {
                throw new NumberFormatException();
            }
            result -= digit;
        }
        return negative ? result : -result;
    }

    static String text(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }

    /** Whether {@code bytes} is well-formed UTF-8. */
    static boolean isUtf8(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xff;
            int extra;
            int min;
            if (b < 0x80) {
                i++;
                continue;
            } else if ((b & 0xe0) == 0xc0) {
                extra = 1;
                min = 0x80;
                b &= 0x1f;
            } else if ((b & 0xf0) == 0xe0) {
                extra = 2;
                min = 0x800;
                b &= 0x0f;
            } else if ((b & 0xf8) == 0xf0) {
                extra = 3;
                min = 0x10000;
                b &= 0x07;
            } else {
                return false;
            }
            if (i + extra >= bytes.length) {
                return false;
            }
            int code = b;
            for (int k = 1; k <= extra; k++) {
                if ((bytes[i + k] & 0xc0) != 0x80) {
                    return false;
                }
                code = (code << 6) | (bytes[i + k] & 0x3f);
            }
            if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
                return false;
            }
            i += extra + 1;
        }
        return true;
    }
}
