package io.riffle.columnar.batch;

import java.util.Arrays;

/**
 * The rows of a batch that are still selected, as ascending row indices. Reused across batches:
 * kernels write into it and only grow its array when a batch is larger than any before.
 * Single-threaded: owned by one task at a time.
 */
public final class SelectionVector {
    private int[] rows;
    private int size;

    public SelectionVector(int capacity) {
        this.rows = new int[Math.max(1, capacity)];
    }

    /** Makes room for {@code capacity} rows; keeps the selected rows. */
    public void ensureCapacity(int capacity) {
        if (capacity > rows.length) {
            rows = Arrays.copyOf(rows, Math.max(capacity, rows.length * 2));
        }
    }

    /** The backing array; valid entries are {@code [0, size())}. */
    public int[] rows() {
        return rows;
    }

    public int size() {
        return size;
    }

    public void setSize(int size) {
        if (size < 0 || size > rows.length) {
            throw new IllegalArgumentException("selection size " + size + " outside [0, " + rows.length + "]");
        }
        this.size = size;
    }

    public int get(int i) {
        return rows[i];
    }

    /** Selects every row {@code 0 .. rowCount - 1}. */
    public void selectAll(int rowCount) {
        ensureCapacity(rowCount);
        for (int i = 0; i < rowCount; i++) {
            rows[i] = i;
        }
        size = rowCount;
    }

    @Override
    public String toString() {
        return Arrays.toString(Arrays.copyOf(rows, size));
    }
}
