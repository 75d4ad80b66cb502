package io.riffle.columnar.batch;

/**
 * A Java-side row, such as a tuple, that a {@link RecordBatchBuilder} can append.
 * Field {@code i} goes to column {@code i}.
 */
public interface Row {
    /** The number of fields. */
    int arity();

    /** Field {@code index}, boxed; {@code null} for a null value. */
    Object field(int index);
}
