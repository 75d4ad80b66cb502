package io.riffle.engine.internal.operator;

import java.util.Iterator;
import java.util.NoSuchElementException;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Record;

/**
 * A window's records for a {@link io.riffle.engine.ProcessWindowFunction}: rows of a batch, by index, in
 * order. Each iterator moves a view of its own along the rows, so nested loops over the records work; the
 * views are valid during the function's call. Pointed at the next key's rows by {@link #point}; one thread.
 */
final class WindowRows implements Iterable<Record> {
    private RecordBatch batch;
    private int[] rows = new int[16];
    private int count;

    /** Room for {@code n} rows, to fill through {@link #rows()}. */
    int[] ensureCapacity(int n) {
        if (rows.length < n) {
            rows = new int[Math.max(n, rows.length * 2)];
        }
        return rows;
    }

    /** The records are rows {@code rows()[0 .. count)} of {@code batch}. */
    void point(RecordBatch batch, int count) {
        this.batch = batch;
        this.count = count;
    }

    int[] rows() {
        return rows;
    }

    int count() {
        return count;
    }

    @Override
    public Iterator<Record> iterator() {
        RecordBatch over = batch;
        int[] at = rows;
        int n = count;
        RowView view = new RowView();
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public Record next() {
                if (next >= n) {
                    throw new NoSuchElementException();
                }
                view.point(over, at[next++]);
                return view;
            }
        };
    }
}
