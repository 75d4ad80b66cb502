package io.riffle.columnar.hash;

/** The aggregate functions an {@link OffHeapHashTable} computes per group. */
public enum AggregateKind {
    /** Sum of the non-null values: int64 for integer input, float64 for float64 input. */
    SUM,
    /** Number of rows ({@code count()}) or of non-null values ({@code count(field)}); int64, never null. */
    COUNT,
    /** Smallest non-null value, of the input's type. */
    MIN,
    /** Largest non-null value, of the input's type. */
    MAX,
    /** Mean of the non-null values, float64. */
    AVG;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
