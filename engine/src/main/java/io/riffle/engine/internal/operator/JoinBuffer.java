package io.riffle.engine.internal.operator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * One input's rows of a stream join, kept until event time says they can match nothing more. Rows are
 * appended to the newest of a few segments ({@link KeyedRows}: columnar, chained by key); a segment is
 * sealed when it is full, when it spans a given time (so that it is past use soon after its rows) or when
 * a checkpoint takes it, and from then on only read. A segment whose rows are all past use is freed
 * whole; when there are many, the rows still in use are merged into one. A snapshot shares the sealed
 * segments (each is freed when neither the buffer nor a snapshot holds it), so taking one copies nothing.
 * Owned by the subtask's thread; a {@link Snapshot} is written by the checkpoint thread and closed by
 * whichever thread is last.
 */
final class JoinBuffer implements AutoCloseable {
    /** The most rows of a segment: a probe looks a key up once per segment, and a segment is freed whole. */
    static final int SEGMENT_ROWS = 1 << 16;
    /** The fewest rows a segment is sealed at for its time span, so that a segment's table is worth making. */
    static final int MIN_SEGMENT_ROWS = 1 << 13;
    /** More segments than this are merged. */
    static final int MAX_SEGMENTS = 16;

    private final BatchSchema schema;
    private final int keyField;
    private final EventTimeField time;
    private final BufferAllocator allocator;
    private final long budgetBytes;
    /** A segment spanning this much time (and holding {@link #MIN_SEGMENT_ROWS}) is sealed, so that rows past use are freed soon. */
    private final long sealSpan;
    private final List<Segment> segments = new ArrayList<>();
    private final SelectionVector live = new SelectionVector(1024);
    /**
     * The highest time the watermark let go of at its last advance ({@link #evict}). A segment's rows from
     * then ({@link Segment#rowsAtEviction}) at or below it are gone, though the segment may still hold them;
     * rows added since are not, whatever their time, as Flink's clean-up timers registered after a watermark
     * fire only at the next one.
     */
    private long evictedThrough = Long.MIN_VALUE;

    /** A segment's rows and their time range; freed when the buffer and every snapshot let go of it. */
    static final class Segment {
        final KeyedRows rows;
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;
        /**
         * Per row, the highest time of it and the rows before it under its key: a walk along a key's rows,
         * newest first, stops where this falls below the earliest time it wants.
         */
        long[] chainMax = new long[1024];
        /** The rows it held at the last {@link #evict}: those at or below {@link #evictedThrough} are gone. */
        int rowsAtEviction;
        /**
         * Whether no more rows may be appended: a snapshot may be reading it, or a newer segment took over
         * (which may be freed before it, so sealing is the segment's, not the buffer's newest's).
         */
        private boolean sealed;
        private final AtomicInteger holders = new AtomicInteger(1);

        Segment(KeyedRows rows) {
            this.rows = rows;
        }

        /** Appends the rows of {@code batch}, whose event times are read from {@code time}. */
        void append(RecordBatch batch, EventTimeField time) {
            int first = rows.rowCount();
            rows.append(batch);
            int n = batch.rowCount();
            if (chainMax.length < first + n) {
                chainMax = Arrays.copyOf(chainMax, Math.max(first + n, chainMax.length * 2));
            }
            long times = batch.vector(time.index()).getDataBufferAddress();
            long offset = time.offsetMillis();
            long min = minTime;
            long max = maxTime;
            for (int i = 0; i < n; i++) {
                long t = MemoryUtil.getLong(times + ((long) i << 3)) + offset;
                min = Math.min(min, t);
                max = Math.max(max, t);
                int previous = rows.previous(first + i);
                chainMax[first + i] = previous == KeyedRows.NO_ROW ? t : Math.max(t, chainMax[previous]);
            }
            minTime = min;
            maxTime = max;
        }

        void retain() {
            holders.incrementAndGet();
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                rows.close();
            }
        }
    }

    JoinBuffer(BatchSchema schema, int keyField, EventTimeField time, long sealSpan, BufferAllocator allocator,
               long budgetBytes) {
        this.schema = schema;
        this.sealSpan = sealSpan;
        this.keyField = keyField;
        this.time = time;
        this.allocator = allocator;
        this.budgetBytes = budgetBytes;
    }

    /** Off-heap bytes of the segments this buffer holds (a snapshot may hold more until written). */
    long bytes() {
        long bytes = 0;
        for (Segment s : segments) {
            bytes += s.rows.bytes();
        }
        return bytes;
    }

    int segmentCount() {
        return segments.size();
    }

    Segment segment(int i) {
        return segments.get(i);
    }

    /** Appends the rows of {@code batch}: dense, of this input's schema, with no null key or time. */
    void add(RecordBatch batch) {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        Segment last = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (last == null || last.sealed || last.rows.rowCount() >= SEGMENT_ROWS
                || (last.rows.rowCount() >= MIN_SEGMENT_ROWS && last.maxTime - last.minTime >= sealSpan)) {
            if (last != null) {
                last.sealed = true;
            }
            last = new Segment(new KeyedRows(schema, keyField, allocator, budgetBytes));
            segments.add(last);
        }
        last.append(batch, time);
    }

    /**
     * Lets go of the rows held now with a time at or below {@code deadThrough}, which the watermark has just
     * passed by: whole segments at once, and when there are more than {@link #MAX_SEGMENTS}, by merging the
     * rest into one; such rows in the segments kept count as gone ({@link #isGone}). Called at each advance
     * of the watermark, with a {@code deadThrough} that never goes down.
     */
    void evict(long deadThrough) {
        for (int i = segments.size() - 1; i >= 0; i--) {
            if (segments.get(i).maxTime <= deadThrough) {
                segments.remove(i).release();
            }
        }
        if (segments.size() > MAX_SEGMENTS) {
            compact(deadThrough);
        }
        evictedThrough = deadThrough;
        for (Segment s : segments) {
            s.rowsAtEviction = s.rows.rowCount();
        }
    }

    /** Whether row {@code row} of {@code segment}, of time {@code time}, was let go of though the segment holds it. */
    boolean isGone(Segment segment, int row, long time) {
        return time <= evictedThrough && row < segment.rowsAtEviction;
    }

    /** Whether some segment's time range meets {@code [from, through]}: it may hold rows with such times. */
    boolean mayHold(long from, long through) {
        for (Segment s : segments) {
            if (s.minTime <= through && s.maxTime >= from) {
                return true;
            }
        }
        return false;
    }

    /** A copy of the rows with a time in {@code (after, through]}, in arrival order, chained by key; the caller closes it. */
    KeyedRows rowsBetween(long after, long through) {
        KeyedRows copy = new KeyedRows(schema, keyField, allocator, budgetBytes);
        try {
            for (Segment segment : segments) {
                if (segment.minTime > through || segment.maxTime <= after) {
                    continue;
                }
                RecordBatch stored = segment.rows.rows();
                long times = stored.vector(time.index()).getDataBufferAddress();
                long offset = time.offsetMillis();
                live.ensureCapacity(stored.rowCount());
                int[] selected = live.rows();
                int count = 0;
                for (int i = 0; i < stored.rowCount(); i++) {
                    long t = MemoryUtil.getLong(times + ((long) i << 3)) + offset;
                    if (t > after && t <= through) {
                        selected[count++] = i;
                    }
                }
                live.setSize(count);
                if (count > 0) {
                    try (RecordBatch rows = GatherKernel.gather(stored, live, allocator)) {
                        copy.append(rows);
                    }
                }
            }
            return copy;
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    /** Chooses the rows of a segment to keep: fills {@code out} with their indexes and returns how many. */
    interface RowSelector {
        int select(RecordBatch rows, SelectionVector out);
    }

    /** All rows appended and not let go of yet, over every segment. */
    int rowCount() {
        int rows = 0;
        for (Segment s : segments) {
            rows += s.rows.rowCount();
        }
        return rows;
    }

    /**
     * Keeps only the rows {@code keep} selects, merged into one segment (in their order): for a user whose rows
     * outlive one another in no time order (session windows).
     */
    void retain(RowSelector keep) {
        Segment merged = new Segment(new KeyedRows(schema, keyField, allocator, budgetBytes));
        try {
            for (Segment s : segments) {
                RecordBatch rows = s.rows.rows();
                if (keep.select(rows, live) > 0) {
                    try (RecordBatch copy = GatherKernel.gather(rows, live, allocator)) {
                        merged.append(copy, time);
                    }
                }
            }
        } catch (RuntimeException e) {
            merged.release();
            throw e;
        }
        for (Segment s : segments) {
            s.release();
        }
        segments.clear();
        segments.add(merged);
    }

    private void compact(long deadThrough) {
        Segment merged = new Segment(new KeyedRows(schema, keyField, allocator, budgetBytes));
        try {
            for (Segment s : segments) {
                appendLive(s, deadThrough, merged);
            }
        } catch (RuntimeException e) {
            merged.release();
            throw e;
        }
        for (Segment s : segments) {
            s.release();
        }
        segments.clear();
        segments.add(merged);
    }

    private void appendLive(Segment from, long deadThrough, Segment to) {
        RecordBatch rows = from.rows.rows();
        int n = selectAbove(rows, deadThrough, live);
        if (n == 0) {
            return;
        }
        try (RecordBatch copy = GatherKernel.gather(rows, live, allocator)) {
            to.append(copy, time);
        }
    }

    /** Selects into {@code out} the rows of {@code rows} with an event time above {@code through}; returns how many. */
    int selectAbove(RecordBatch rows, long through, SelectionVector out) {
        return selectLive(rows, through, rows.rowCount(), out);
    }

    /**
     * Selects into {@code out} the rows of {@code rows} not gone: those with an event time above {@code deadThrough}
     * and those from {@code firstNewRow} on, added after the eviction that let go of {@code deadThrough};
     * returns how many.
     */
    int selectLive(RecordBatch rows, long deadThrough, int firstNewRow, SelectionVector out) {
        int n = rows.rowCount();
        out.ensureCapacity(n);
        int[] selected = out.rows();
        long times = rows.vector(time.index()).getDataBufferAddress();
        long offset = time.offsetMillis();
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (i >= firstNewRow || MemoryUtil.getLong(times + ((long) i << 3)) + offset > deadThrough) {
                selected[count++] = i;
            }
        }
        out.setSize(count);
        return count;
    }

    /**
     * The segments as they are, for a checkpoint of the rows not gone: the newest is sealed, so that no
     * later append moves the memory the checkpoint thread reads, and which rows are gone is taken now.
     */
    Snapshot snapshot() {
        Segment[] held = segments.toArray(new Segment[0]);
        int[] rowsAtEviction = new int[held.length];
        for (int i = 0; i < held.length; i++) {
            held[i].sealed = true;
            held[i].retain();
            rowsAtEviction[i] = held[i].rowsAtEviction;
        }
        return new Snapshot(this, held, evictedThrough, rowsAtEviction);
    }

    /**
     * Sealed segments held for a checkpoint, with what was gone of them then: per segment, its rows up to
     * {@code rowsAtEviction} at or below {@code evictedThrough}. {@link #close} lets go of them.
     */
    record Snapshot(JoinBuffer buffer, Segment[] segments, long evictedThrough, int[] rowsAtEviction)
            implements AutoCloseable {
        @Override
        public void close() {
            for (Segment s : segments) {
                s.release();
            }
        }
    }

    BatchSchema schema() {
        return schema;
    }

    int keyField() {
        return keyField;
    }

    @Override
    public void close() {
        for (Segment s : segments) {
            s.release();
        }
        segments.clear();
    }
}
