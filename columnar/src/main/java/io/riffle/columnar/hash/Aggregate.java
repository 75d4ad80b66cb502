package io.riffle.columnar.hash;

/**
 * One aggregate of a {@link GroupBySpec}: a function over an input field, resolved against the input
 * schema when the spec is built. A field is named by index or by name; {@code count()} has none.
 *
 * <pre>{@code
 * Aggregate.sum("value").as("total")
 * }</pre>
 */
public final class Aggregate {
    final AggregateKind kind;
    final int fieldIndex;
    final String fieldName;
    final String outputName;

    private Aggregate(AggregateKind kind, int fieldIndex, String fieldName, String outputName) {
        this.kind = kind;
        this.fieldIndex = fieldIndex;
        this.fieldName = fieldName;
        this.outputName = outputName;
    }

    public static Aggregate sum(int field) {
        return new Aggregate(AggregateKind.SUM, field, null, null);
    }

    public static Aggregate sum(String field) {
        return new Aggregate(AggregateKind.SUM, -1, field, null);
    }

    /** The number of rows in the group. */
    public static Aggregate count() {
        return new Aggregate(AggregateKind.COUNT, -1, null, null);
    }

    /** The number of non-null values of {@code field} in the group. */
    public static Aggregate count(int field) {
        return new Aggregate(AggregateKind.COUNT, field, null, null);
    }

    public static Aggregate count(String field) {
        return new Aggregate(AggregateKind.COUNT, -1, field, null);
    }

    public static Aggregate min(int field) {
        return new Aggregate(AggregateKind.MIN, field, null, null);
    }

    public static Aggregate min(String field) {
        return new Aggregate(AggregateKind.MIN, -1, field, null);
    }

    public static Aggregate max(int field) {
        return new Aggregate(AggregateKind.MAX, field, null, null);
    }

    public static Aggregate max(String field) {
        return new Aggregate(AggregateKind.MAX, -1, field, null);
    }

    public static Aggregate avg(int field) {
        return new Aggregate(AggregateKind.AVG, field, null, null);
    }

    public static Aggregate avg(String field) {
        return new Aggregate(AggregateKind.AVG, -1, field, null);
    }

    /** The same aggregate with its output column named {@code name} instead of {@code sum(value)} etc. */
    public Aggregate as(String name) {
        return new Aggregate(kind, fieldIndex, fieldName, name);
    }

    public AggregateKind kind() {
        return kind;
    }

    boolean hasField() {
        return fieldIndex >= 0 || fieldName != null;
    }
}
