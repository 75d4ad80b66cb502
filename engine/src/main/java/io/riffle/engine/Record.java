package io.riffle.engine;

import java.time.Instant;

import io.riffle.columnar.batch.Row;

/**
 * A record as user functions see it: fields by position, typed getters. The record handed to a
 * function is a view of one row of a batch, valid only during the call; copy it ({@link Tuple#copyOf})
 * to keep it.
 */
public interface Record extends Row {
    /** Whether field {@code index} is null. */
    default boolean isNull(int index) {
        return field(index) == null;
    }

    /** An integer field, or a timestamp as milliseconds since the epoch. */
    default long getLong(int index) {
        Object value = field(index);
        return value instanceof Instant instant ? instant.toEpochMilli() : ((Number) value).longValue();
    }

    default int getInt(int index) {
        return ((Number) field(index)).intValue();
    }

    default double getDouble(int index) {
        return ((Number) field(index)).doubleValue();
    }

    default String getString(int index) {
        Object v = field(index);
        return v == null ? null : v.toString();
    }

    default boolean getBoolean(int index) {
        return (Boolean) field(index);
    }

    /** A binary field's bytes, or {@code null} for null; the caller may keep the array. */
    default byte[] getBytes(int index) {
        return (byte[]) field(index);
    }
}
