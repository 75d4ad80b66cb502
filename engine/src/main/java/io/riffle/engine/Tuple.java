package io.riffle.engine;

import io.riffle.columnar.batch.Values;
import java.util.Arrays;

/**
 * An immutable record of any arity: what {@code fromElements}, {@code map} and {@code collect} use.
 * Prints as {@code (apple,9)}, a binary ({@code byte[]}) field as hex, {@code 0x0a1b}; equal when the fields
 * are equal, binary fields by content.
 *
 * <pre>{@code
 * Tuple t = Tuple.of("apple", 1);
 * t.getString(0);   // "apple"
 * }</pre>
 */
public final class Tuple implements Record {
    private final Object[] fields;

    private Tuple(Object[] fields) {
        this.fields = fields;
    }

    /** A tuple of the given fields (nulls allowed). */
    public static Tuple of(Object... fields) {
        return new Tuple(fields.clone());
    }

    /** A copy of {@code record}'s current field values. */
    public static Tuple copyOf(Record record) {
        if (record instanceof Tuple) {
            return (Tuple) record;
        }
        Object[] values = new Object[record.arity()];
        for (int i = 0; i < values.length; i++) {
            values[i] = record.field(i);
        }
        return new Tuple(values);
    }

    @Override
    public int arity() {
        return fields.length;
    }

    @Override
    public Object field(int index) {
        if (index < 0 || index >= fields.length) {
            throw new IndexOutOfBoundsException("field " + index + " of a tuple of arity " + fields.length);
        }
        return fields[index];
    }

    @Override
    public boolean equals(Object o) {
        // deepEquals and deepHashCode compare byte[] (binary) fields by content.
        return o instanceof Tuple && Arrays.deepEquals(fields, ((Tuple) o).fields);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(fields);
    }

    /** {@code (v0,v1,...)}, the format {@code print()} uses. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < fields.length; i++) {
            Values.append(sb.append(i == 0 ? "" : ","), fields[i]);
        }
        return sb.append(')').toString();
    }
}
