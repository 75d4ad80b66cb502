package io.riffle.engine.internal.operator;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Record;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A window's records for a {@link io.riffle.engine.ProcessWindowFunction}: rows of batches, each by its batch
 * and index, in order. Each iterator moves a view of its own along the rows, so nested loops over the records
 * work; the views are valid during the function's call. Pointed at a key's rows of a {@link KeyedRows} by
 * {@link #point}, or filled row by row ({@link #clear}, {@link #add}, {@link #reverse}); one thread.
 */
final class WindowRows implements Iterable<Record> {
    private RecordBatch[] batches = new RecordBatch[16];
    private int[] rows = new int[16];
    private int count;

    /**
     * Points at the rows of key {@code group} in {@code store} with an event time (read from {@code time}) in
     * {@code [from, through]}, in arrival order; returns how many.
     */
    int point(KeyedRows store, int group, EventTimeField time, long from, long through) {
        clear();
        RecordBatch batch = store.rows();
        long times = batch.vector(time.index()).getDataBufferAddress();
        long offset = time.offsetMillis();
        for (int row = store.last(group); row != KeyedRows.NO_ROW; row = store.previous(row)) {
            long t = MemoryUtil.getLong(times + ((long) row << 3)) + offset;
            if (t >= from && t <= through) {
                add(batch, row);
            }
        }
        // The chain runs newest first.
        reverse();
        return count;
    }

    void clear() {
        count = 0;
    }

    void add(RecordBatch batch, int row) {
        if (count == rows.length) {
            rows = Arrays.copyOf(rows, count * 2);
            batches = Arrays.copyOf(batches, count * 2);
        }
        batches[count] = batch;
        rows[count++] = row;
    }

    /** Turns the rows around: added newest first, they are handed over oldest first. */
    void reverse() {
        for (int i = 0, j = count - 1; i < j; i++, j--) {
            int r = rows[i];
            rows[i] = rows[j];
            rows[j] = r;
            RecordBatch b = batches[i];
            batches[i] = batches[j];
            batches[j] = b;
        }
    }

    int count() {
        return count;
    }

    /** Record {@code i}'s batch. */
    RecordBatch batch(int i) {
        return batches[i];
    }

    /** Record {@code i}'s row in its batch. */
    int row(int i) {
        return rows[i];
    }

    /** The first record's row in its batch. */
    int firstRow() {
        return rows[0];
    }

    @Override
    public Iterator<Record> iterator() {
        RecordBatch[] in = batches;
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
                view.point(in[next], at[next]);
                next++;
                return view;
            }
        };
    }
}
