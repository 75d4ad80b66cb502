package io.riffle.engine.internal.operator;

import java.util.Iterator;
import java.util.NoSuchElementException;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Record;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A window's records for a {@link io.riffle.engine.ProcessWindowFunction}: rows of a batch, by index, in
 * order. Each iterator moves a view of its own along the rows, so nested loops over the records work; the
 * views are valid during the function's call. Pointed at a key's rows of a {@link KeyedRows} by {@link #point};
 * one thread.
 */
final class WindowRows implements Iterable<Record> {
    private RecordBatch batch;
    private int[] rows = new int[16];
    private int count;

    /**
     * Points at the rows of key {@code group} in {@code store} with a time (column {@code timeField}) in
     * {@code [from, through]}, in arrival order; returns how many.
     */
    int point(KeyedRows store, int group, int timeField, long from, long through) {
        batch = store.rows();
        if (rows.length < store.rowCount()) {
            rows = new int[Math.max(store.rowCount(), rows.length * 2)];
        }
        long times = batch.vector(timeField).getDataBufferAddress();
        int n = 0;
        for (int row = store.last(group); row != KeyedRows.NO_ROW; row = store.previous(row)) {
            long t = MemoryUtil.getLong(times + ((long) row << 3));
            if (t >= from && t <= through) {
                rows[n++] = row;
            }
        }
        // The chain runs newest first.
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            int r = rows[i];
            rows[i] = rows[j];
            rows[j] = r;
        }
        count = n;
        return n;
    }

    /** The first record's row in the store's batch. */
    int firstRow() {
        return rows[0];
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
