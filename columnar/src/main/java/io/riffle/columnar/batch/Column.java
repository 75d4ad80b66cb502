package io.riffle.columnar.batch;

import java.util.Objects;

/**
 * One named, typed field of a {@link BatchSchema}.
 *
 * <pre>{@code
 * Column key = Column.of("key", ColumnType.INT64);            // NOT NULL
 * Column note = Column.nullable("note", ColumnType.UTF8);     // may hold nulls
 * }</pre>
 */
public record Column(String name, ColumnType type, boolean nullable) {

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a column name must not be empty");
        }
    }

    /** A column that rejects nulls. */
    public static Column of(String name, ColumnType type) {
        return new Column(name, type, false);
    }

    /** A column that accepts nulls. */
    public static Column nullable(String name, ColumnType type) {
        return new Column(name, type, true);
    }

    @Override
    public String toString() {
        return name + ": " + type + (nullable ? "" : " not null");
    }
}
