package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.Validity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.AggregateKind;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.MemoryBudgetExceededException;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.hash.TableSnapshot;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorMetrics;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;

/**
 * Keyed event-time session windows: a record at {@code t} opens the window {@code [t, t + gap)}, and windows
 * of one key that overlap or touch (one ends where the other starts, as in Flink) merge into one session; a
 * session fires when the watermark reaches its last
 * millisecond ({@code last record + gap - 1}), emitting {@code (key, window_start, window_end, aggregates...)}.
 *
 * <p>State is off-heap: an {@link OffHeapHashTable} gives each key an id, a page array holds each key's first
 * and last session, and fixed-width session records ({@code first, last, next, key id, generation, previous},
 * then a value and a count per aggregate) lie in pages, each key's sessions linked both ways in order of
 * time. A batch is placed row by row, each record looked up from its key's newest session back (in time order
 * that is one step, however far the watermark lags): it extends a session, opens one, or merges the ones its
 * window bridges; then each aggregate is accumulated over the whole batch in one
 * loop per column; sessions merged during the batch forward to the one they merged into. A min-heap of
 * session ends finds what a watermark closes. A record whose own window has closed and that meets no
 * open session is late: counted, and sent to the side output when asked.
 *
 * <p>With a user function ({@link WindowFold}: a reduce or an aggregate function) each session's fold is a
 * record in {@link ReducedRecords} by session id instead of the accumulators; rows are folded one by one and
 * merged sessions' folds merged, the earlier first.
 *
 * <p>Checkpoints freeze the pages (copy-on-write, {@link PagedRecords}) and the key table's snapshot; the
 * checkpoint thread writes each key's sessions by key group ({@link SessionStateFile}), so a restore at any
 * parallelism reads its key groups out of every old subtask's file.
 */
public final class SessionWindowOperator extends Operator {
    static final int FIRST = 0;
    static final int LAST = 8;
    static final int NEXT = 16;
    static final int KEY = 20;
    /** Which heap entry stands for the session: each live session has exactly one, of its generation. */
    static final int GENERATION = 24;
    static final int PREVIOUS = 28;
    /** {@link #FIRED}: emitted, kept for the allowed lateness; {@link #TOUCHED}: to emit again after this batch. */
    static final int FLAGS = 32;
    static final int ACCUMULATORS = 40;
    static final int FIRED = 1;
    private static final int TOUCHED = 2;
    /** A key's entry: its first and its last session. */
    static final int HEAD = 0;
    static final int TAIL = 4;
    /** Key id of a free or merged-away record. */
    static final int FREE = -1;
    private static final int NONE = -1;
    private static final int SESSION_PAGE_SHIFT = 10;
    private static final int HEAD_PAGE_SHIFT = 12;

    private final BatchSchema inputSchema;
    private final int keyField;
    private final EventTimeField time;
    private final long gap;
    /** How long after firing a session is kept (ms of event time): late records still update and re-emit it. */
    private final long lateness;
    private final int aggregateCount;
    private final AggregateKind[] kinds;
    private final int[] fields;
    private final ColumnType[] types;
    private final GroupBySpec keySpec;
    private final BatchSchema outputSchema;
    private final long budgetBytes;
    private final int lateOutput;
    private final int recordBytes;
    private final GroupLookup lookup;
    private final SelectionVector lateRows = new SelectionVector(1024);
    /** A user function's fold of each session, by session id, or null with the built-in aggregates. */
    private final WindowFold fold;
    private final ReducedRecords folds;
    private final RowView view = new RowView();
    private RecordWriter writer;
    /** A process function's sessions: their records, kept to hand over when they fire; else null. */
    private final SessionRecords records;

    private BufferAllocator allocator;
    private int batchSize;
    private int uid;
    private int subtask;
    private int parallelism;
    private int maxParallelism;
    private OperatorMetrics metrics;
    private OffHeapHashTable keys;
    private PagedRecords heads;
    private PagedRecords sessions;
    private SessionEnds ends;
    private RecordBatch scratch;
    /** Fired sessions are written here, reused: an emitted batch stays the emitter's. */
    private RecordBatch output;
    /** Records ever used; below that, free ones are chained from {@link #freeHead} through their next field. */
    private int recordCount;
    private int freeHead = NONE;
    private int generations;
    private long watermark = Long.MIN_VALUE;
    /** Per row of the batch being processed: its session, or -1 when late. */
    private int[] sessionOf = new int[1024];
    /** Sessions merged away during the batch; freed once its rows are accumulated. */
    private int[] mergedAway = new int[64];
    private int mergedCount;
    private int[] firedKeys = new int[1024];
    private int[] firedSessions = new int[1024];
    private int[] purgedSessions = new int[1024];
    private int[] purgedKeys = new int[1024];

    /** {@code lateOutput}: the side output late records go to, or -1 to only count them. */
    public SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap,
                                 long lateness, Aggregate[] aggregates, long budgetBytes, int lateOutput) {
        this(inputSchema, keyField, time, gap, lateness, aggregates, null, null, null, budgetBytes, lateOutput);
    }

    /** Sessions folded by a user function ({@link WindowFold}) instead of the built-in aggregates. */
    public SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap, long lateness,
                                 WindowFold fold, long budgetBytes, int lateOutput) {
        this(inputSchema, keyField, time, gap, lateness, new Aggregate[0], fold, null, null, budgetBytes,
                lateOutput);
    }

    /**
     * Sessions handed whole to a {@link ProcessWindowFunction}, which emits records of {@code outputSchema}:
     * each session's records are kept ({@link SessionRecords}) until it is let go of.
     */
    public SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap, long lateness,
                                 ProcessWindowFunction function, BatchSchema outputSchema, long budgetBytes,
                                 int lateOutput) {
        this(inputSchema, keyField, time, gap, lateness, new Aggregate[0], null,
                new SessionRecords(function, inputSchema, keyField, time, gap, budgetBytes), outputSchema,
                budgetBytes, lateOutput);
    }

    private SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap, long lateness,
                                  Aggregate[] aggregates, WindowFold fold, SessionRecords records,
                                  BatchSchema processOutput, long budgetBytes, int lateOutput) {
        this.inputSchema = inputSchema;
        this.lateness = lateness;
        this.keyField = keyField;
        this.time = time;
        this.gap = gap;
        this.budgetBytes = budgetBytes;
        this.lateOutput = lateOutput;
        this.fold = fold;
        this.folds = fold != null ? new ReducedRecords() : null;
        this.records = records;
        GroupBySpec user = GroupBySpec.of(inputSchema, keyField, aggregates);
        this.aggregateCount = aggregates.length;
        this.kinds = new AggregateKind[aggregateCount];
        this.fields = new int[aggregateCount];
        this.types = new ColumnType[aggregateCount];
        for (int a = 0; a < aggregateCount; a++) {
            kinds[a] = user.kindOf(a);
            fields[a] = user.fieldOf(a);
            types[a] = fields[a] < 0 ? null : inputSchema.column(fields[a]).type();
        }
        this.keySpec = GroupBySpec.of(inputSchema, keyField);
        this.outputSchema = processOutput != null ? processOutput
                : fold != null ? fold.outputSchema(true) : WindowAggregateOperator.outputSchema(user);
        this.recordBytes = ACCUMULATORS + 16 * aggregateCount;
        this.lookup = new GroupLookup(keyField);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        maxParallelism = context.maxParallelism();
        metrics = context.metrics();
        uid = context.uid();
        keys = new OffHeapHashTable(keySpec, allocator, budgetBytes);
        heads = new PagedRecords(allocator, 8, HEAD_PAGE_SHIFT, (byte) 0xFF);
        sessions = new PagedRecords(allocator, recordBytes, SESSION_PAGE_SHIFT, (byte) 0);
        ends = new SessionEnds(allocator);
        scratch = RecordBatch.allocate(inputSchema, allocator, batchSize);
        output = RecordBatch.allocate(outputSchema, allocator, batchSize);
        if (fold != null) {
            writer = new RecordWriter(context.operatorName(), outputSchema, allocator, batchSize);
        }
        if (records != null) {
            records.open(allocator, batchSize, context.operatorName(), outputSchema);
        }
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        FieldVector timestamps = time.timestamps(batch);
        long offset = time.offsetMillis();
        int[] keyIds = lookup.groupIds(batch, keys);
        heads.ensureRecords(keys.groupCount());
        if (sessionOf.length < n) {
            sessionOf = new int[Math.max(n, sessionOf.length * 2)];
        }
        long times = timestamps.getDataBufferAddress();
        int late = 0;
        mergedCount = 0;
        for (int i = 0; i < n; i++) {
            int s = place(keyIds[i], MemoryUtil.getLong(times + ((long) i << 3)) + offset);
            sessionOf[i] = s;
            if (s < 0) {
                late++;
            }
        }
        if (mergedCount > 0) {
            forwardMerged(n);
        }
        for (int a = 0; a < aggregateCount; a++) {
            accumulate(a, batch, n);
        }
        if (fold != null) {
            foldRows(batch, n);
        }
        if (records != null) {
            records.add(batch, sessionOf, n);
        }
        for (int m = 0; m < mergedCount; m++) {
            free(mergedAway[m]);
        }
        if (lateness > 0) {
            emitUpdatedLateSessions(n, out);
        }
        if (late > 0) {
            dropLate(batch, n, late, out);
        }
    }

    /**
     * Puts a record of key {@code key} at {@code t} into its session: the one its window {@code [t, t + gap)}
     * meets (grown to hold it, and merged with the earlier ones it now meets) or a new one; -1 when it is late.
     * Windows meet when they overlap or one ends where the other starts, as Flink's session windows merge.
     * Sessions of a key are windows in time order with room between them, so the record can only meet the last
     * session starting at or before {@code t + gap}, and growing that one back in time can only reach the
     * sessions before it.
     */
    private int place(int key, long t) throws Exception {
        long entry = heads.address(key);
        int next = NONE;
        int s = MemoryUtil.getInt(entry + TAIL);
        while (s != NONE && MemoryUtil.getLong(sessions.address(s) + FIRST) > t + gap) {
            next = s;
            s = MemoryUtil.getInt(sessions.address(s) + PREVIOUS);
        }
        if (s == NONE || MemoryUtil.getLong(sessions.address(s) + LAST) + gap < t) {
            if (t + gap - 1 + lateness <= watermark) {
                return NONE;
            }
            int created = allocate(key, t, s, next);
            if (s == NONE) {
                MemoryUtil.putInt(heads.writable(key) + HEAD, created);
            } else {
                MemoryUtil.putInt(sessions.writable(s) + NEXT, created);
            }
            if (next == NONE) {
                MemoryUtil.putInt(heads.writable(key) + TAIL, created);
            } else {
                MemoryUtil.putInt(sessions.writable(next) + PREVIOUS, created);
            }
            ends.push(t + gap, created, MemoryUtil.getInt(sessions.address(created) + GENERATION));
            return created;
        }
        long at = sessions.writable(s);
        if (t > MemoryUtil.getLong(at + LAST)) {
            MemoryUtil.putLong(at + LAST, t);
        }
        long first = Math.min(MemoryUtil.getLong(at + FIRST), t);
        MemoryUtil.putLong(at + FIRST, first);
        int flags = MemoryUtil.getInt(at + FLAGS);
        if ((flags & FIRED) != 0 && MemoryUtil.getLong(at + LAST) + gap - 1 > watermark) {
            // A fired session grown past the watermark fires again at its new end: a new entry for that, and a
            // new generation so that its entry for the end of its lateness no longer counts.
            MemoryUtil.putInt(at + FLAGS, flags & ~FIRED);
            MemoryUtil.putInt(at + GENERATION, ++generations);
            ends.push(MemoryUtil.getLong(at + LAST) + gap, s, generations);
        }
        int p = MemoryUtil.getInt(at + PREVIOUS);
        while (p != NONE && MemoryUtil.getLong(sessions.address(p) + LAST) + gap >= first) {
            long absorbed = sessions.writable(p);
            first = Math.min(first, MemoryUtil.getLong(absorbed + FIRST));
            MemoryUtil.putLong(at + FIRST, first);
            mergeAccumulators(at, absorbed);
            if (fold != null) {
                folds.set(s, mergedFolds(folds.get(p), folds.get(s)));
            }
            int before = MemoryUtil.getInt(absorbed + PREVIOUS);
            MemoryUtil.putInt(at + PREVIOUS, before);
            if (before == NONE) {
                MemoryUtil.putInt(heads.writable(key) + HEAD, s);
            } else {
                MemoryUtil.putInt(sessions.writable(before) + NEXT, s);
            }
            // Rows of this batch already placed in p follow this forward to s; p is freed after the batch.
            MemoryUtil.putInt(absorbed + KEY, FREE);
            MemoryUtil.putInt(absorbed + NEXT, s);
            if (mergedCount == mergedAway.length) {
                mergedAway = Arrays.copyOf(mergedAway, mergedCount * 2);
            }
            mergedAway[mergedCount++] = p;
            p = before;
        }
        return s;
    }

    /** A new session of {@code key} holding only {@code t}, to be linked between {@code previous} and {@code next}. */
    private int allocate(int key, long t, int previous, int next) {
        int s;
        if (freeHead != NONE) {
            s = freeHead;
            freeHead = MemoryUtil.getInt(sessions.address(s) + NEXT);
        } else {
            if (recordCount == sessions.capacity()) {
                checkBudget();
            }
            s = recordCount++;
            sessions.ensureRecords(recordCount);
            if (folds != null) {
                folds.add(null, 0);
            }
        }
        long at = sessions.writable(s);
        MemoryUtil.putLong(at + FIRST, t);
        MemoryUtil.putLong(at + LAST, t);
        MemoryUtil.putInt(at + NEXT, next);
        MemoryUtil.putInt(at + PREVIOUS, previous);
        MemoryUtil.putInt(at + KEY, key);
        MemoryUtil.putInt(at + GENERATION, ++generations);
        MemoryUtil.putInt(at + FLAGS, 0);
        for (int a = 0; a < aggregateCount; a++) {
            MemoryUtil.putLong(at + ACCUMULATORS + 16L * a, identity(a));
            MemoryUtil.putLong(at + ACCUMULATORS + 16L * a + 8, 0L);
        }
        return s;
    }

    /** Before another page of sessions: the state must stay within its budget. */
    private void checkBudget() {
        long pageBytes = (long) recordBytes << SESSION_PAGE_SHIFT;
        long wanted = keys.memoryUsed() + heads.bytes() + sessions.bytes() + pageBytes;
        if (wanted > budgetBytes) {
            throw new MemoryBudgetExceededException("session windows of " + recordCount + " open sessions over "
                    + keys.groupCount() + " keys need " + wanted + " bytes, more than the state budget of " + budgetBytes
                    + " bytes; raise it with Environment.setStateBudget, or shorten the gap", wanted, budgetBytes);
        }
    }

    private long identity(int a) {
        boolean dbl = types[a] == ColumnType.FLOAT64;
        switch (kinds[a]) {
            case MIN:
                return dbl ? Double.doubleToRawLongBits(Double.POSITIVE_INFINITY) : Long.MAX_VALUE;
            case MAX:
                return dbl ? Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY) : Long.MIN_VALUE;
            default:
                return 0L;
        }
    }

    private void free(int s) {
        if (folds != null) {
            folds.set(s, null);
        }
        long at = sessions.writable(s);
        MemoryUtil.putInt(at + KEY, FREE);
        MemoryUtil.putInt(at + NEXT, freeHead);
        freeHead = s;
    }

    /** Adds the accumulators of the record at {@code from} into the one at {@code into}. */
    private void mergeAccumulators(long into, long from) {
        for (int a = 0; a < aggregateCount; a++) {
            long value = ACCUMULATORS + 16L * a;
            long count = value + 8;
            long fromCount = MemoryUtil.getLong(from + count);
            if (fromCount == 0) {
                continue;
            }
            long v = MemoryUtil.getLong(into + value);
            long w = MemoryUtil.getLong(from + value);
            boolean dbl = types[a] == ColumnType.FLOAT64;
            switch (kinds[a]) {
                case SUM:
                case AVG:
                    v = dbl ? Double.doubleToRawLongBits(Double.longBitsToDouble(v) + Double.longBitsToDouble(w))
                            : v + w;
                    break;
                case MIN:
                    v = dbl ? Double.doubleToRawLongBits(Math.min(Double.longBitsToDouble(v), Double.longBitsToDouble(w)))
                            : Math.min(v, w);
                    break;
                case MAX:
                    v = dbl ? Double.doubleToRawLongBits(Math.max(Double.longBitsToDouble(v), Double.longBitsToDouble(w)))
                            : Math.max(v, w);
                    break;
                default:
                    break;
            }
            MemoryUtil.putLong(into + value, v);
            MemoryUtil.putLong(into + count, MemoryUtil.getLong(into + count) + fromCount);
        }
    }

    /** Points each row placed in a session that was merged away at the session it merged into. */
    private void forwardMerged(int n) {
        for (int i = 0; i < n; i++) {
            int s = sessionOf[i];
            if (s < 0) {
                continue;
            }
            long at = sessions.address(s);
            while (MemoryUtil.getInt(at + KEY) == FREE) {
                s = MemoryUtil.getInt(at + NEXT);
                at = sessions.address(s);
            }
            sessionOf[i] = s;
        }
    }

    /** Aggregate {@code a} over the batch, one loop over its column; every row's session is writable already. */
    private void accumulate(int a, RecordBatch batch, int n) {
        long value = ACCUMULATORS + 16L * a;
        long count = value + 8;
        int[] rows = sessionOf;
        if (fields[a] < 0) {
            for (int i = 0; i < n; i++) {
                if (rows[i] >= 0) {
                    long at = sessions.address(rows[i]) + count;
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) + 1);
                }
            }
            return;
        }
        FieldVector in = batch.vector(fields[a]);
        long data = in.getDataBufferAddress();
        long validity = !inputSchema.column(fields[a]).nullable() || !Validity.hasNulls(in) ? 0L
                : in.getValidityBufferAddress();
        boolean int32 = types[a] == ColumnType.INT32;
        boolean dbl = types[a] == ColumnType.FLOAT64;
        AggregateKind kind = kinds[a];
        for (int i = 0; i < n; i++) {
            int s = rows[i];
            if (s < 0 || (validity != 0 && (MemoryUtil.getByte(validity + (i >>> 3)) >> (i & 7) & 1) == 0)) {
                continue;
            }
            long at = sessions.address(s);
            MemoryUtil.putLong(at + count, MemoryUtil.getLong(at + count) + 1);
            if (kind == AggregateKind.COUNT) {
                continue;
            }
            long current = MemoryUtil.getLong(at + value);
            long updated;
            if (dbl) {
                double x = Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)));
                double c = Double.longBitsToDouble(current);
                updated = Double.doubleToRawLongBits(kind == AggregateKind.MIN ? Math.min(c, x)
                        : kind == AggregateKind.MAX ? Math.max(c, x) : c + x);
            } else {
                long x = int32 ? MemoryUtil.getInt(data + ((long) i << 2)) : MemoryUtil.getLong(data + ((long) i << 3));
                updated = kind == AggregateKind.MIN ? Math.min(current, x)
                        : kind == AggregateKind.MAX ? Math.max(current, x) : current + x;
            }
            MemoryUtil.putLong(at + value, updated);
        }
    }

    /**
     * Allowed lateness: emits (again) every session this batch's rows went into whose end the watermark has
     * passed, once per batch, and keeps it as fired until its lateness runs out.
     */
    private void emitUpdatedLateSessions(int n, Output out) throws Exception {
        int m = 0;
        for (int i = 0; i < n; i++) {
            int s = sessionOf[i];
            if (s < 0) {
                continue;
            }
            long at = sessions.address(s);
            int flags = MemoryUtil.getInt(at + FLAGS);
            if ((flags & TOUCHED) != 0 || MemoryUtil.getLong(at + LAST) + gap - 1 > watermark) {
                continue;
            }
            MemoryUtil.putInt(sessions.writable(s) + FLAGS, flags | TOUCHED | FIRED);
            if (m == firedSessions.length || m == batchSize) {
                emitSessions(m, out);
                m = 0;
            }
            firedSessions[m] = s;
            firedKeys[m++] = MemoryUtil.getInt(at + KEY);
        }
        if (m > 0) {
            emitSessions(m, out);
        }
        for (int i = 0; i < n; i++) {
            int s = sessionOf[i];
            if (s >= 0) {
                long at = sessions.address(s);
                int flags = MemoryUtil.getInt(at + FLAGS);
                if ((flags & TOUCHED) != 0) {
                    MemoryUtil.putInt(sessions.writable(s) + FLAGS, flags & ~TOUCHED);
                }
            }
        }
    }

    /** The user function over the batch: each row folded into its session, in row order. */
    private void foldRows(RecordBatch batch, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            int s = sessionOf[i];
            if (s < 0) {
                continue;
            }
            view.point(batch, i);
            Tuple current = folds.get(s);
            folds.set(s, current == null ? fold.first(view) : fold.add(current, view));
        }
    }

    /** Two sessions' folds as one, the earlier first; a session opened in this batch may have none yet. */
    private Tuple mergedFolds(Tuple earlier, Tuple later) throws Exception {
        return earlier == null ? later : later == null ? earlier : fold.merge(earlier, later);
    }

    private void dropLate(RecordBatch batch, int n, int late, Output out) throws Exception {
        metrics.addDropped(subtask, late);
        if (lateOutput < 0) {
            return;
        }
        lateRows.ensureCapacity(late);
        int[] rows = lateRows.rows();
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (sessionOf[i] < 0) {
                rows[m++] = i;
            }
        }
        lateRows.setSize(m);
        GatherKernel.gather(batch, lateRows, scratch);
        out.emitSide(uid, lateOutput, scratch);
    }

    /** Fires every session the watermark closes, in order of end, then passes the watermark on. */
    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark > this.watermark) {
            this.watermark = watermark;
            fire(out);
            if (records != null) {
                records.sweepIfGrown(this::selectHeld);
            }
        }
        out.emitWatermark(watermark);
    }

    /** Selects into {@code out} the rows of {@code rows} that a session of their key still holds; returns how many. */
    private int selectHeld(RecordBatch rows, SelectionVector out) {
        int n = rows.rowCount();
        int[] keyIds = lookup.groupIds(rows, keys);
        out.ensureCapacity(n);
        int[] selected = out.rows();
        long times = rows.vector(time.index()).getDataBufferAddress();
        long offset = time.offsetMillis();
        int count = 0;
        for (int i = 0; i < n; i++) {
            long t = MemoryUtil.getLong(times + ((long) i << 3)) + offset;
            for (int s = MemoryUtil.getInt(heads.address(keyIds[i]) + HEAD); s != NONE;
                 s = MemoryUtil.getInt(sessions.address(s) + NEXT)) {
                long at = sessions.address(s);
                if (MemoryUtil.getLong(at + FIRST) > t) {
                    break;
                }
                if (MemoryUtil.getLong(at + LAST) >= t) {
                    selected[count++] = i;
                    break;
                }
            }
        }
        out.setSize(count);
        return count;
    }

    /**
     * Pops the entries the watermark reaches: a session whose end it passed is emitted (and freed, or with
     * allowed lateness kept as fired, its entry moved to the end of its lateness); a fired session whose
     * lateness ran out is freed.
     */
    private void fire(Output out) throws Exception {
        int m = 0;
        int purged = 0;
        while (ends.size() > 0 && ends.peekEnd() - 1 <= watermark) {
            int s = ends.peekSession();
            int generation = ends.peekGeneration();
            ends.pop();
            long at = sessions.address(s);
            if (MemoryUtil.getInt(at + KEY) == FREE || MemoryUtil.getInt(at + GENERATION) != generation) {
                // The entry of a session merged away, freed, or of an earlier session of a reused record.
                continue;
            }
            boolean fired = (MemoryUtil.getInt(at + FLAGS) & FIRED) != 0;
            long due = MemoryUtil.getLong(at + LAST) + gap + (fired ? lateness : 0);
            if (due - 1 > watermark) {
                // The session grew since its entry was made: it takes its place again.
                ends.push(due, s, generation);
                continue;
            }
            if (fired) {
                if (purged == purgedSessions.length) {
                    purgedSessions = Arrays.copyOf(purgedSessions, purged * 2);
                    purgedKeys = Arrays.copyOf(purgedKeys, purged * 2);
                }
                purgedSessions[purged] = s;
                purgedKeys[purged++] = MemoryUtil.getInt(at + KEY);
                continue;
            }
            if (lateness > 0) {
                MemoryUtil.putInt(sessions.writable(s) + FLAGS, FIRED);
                ends.push(due + lateness, s, generation);
            }
            if (m == firedSessions.length || m == batchSize) {
                fired(m, out);
                m = 0;
            }
            firedSessions[m] = s;
            firedKeys[m++] = MemoryUtil.getInt(at + KEY);
        }
        if (m > 0) {
            fired(m, out);
        }
        if (purged > 0) {
            unlink(purgedSessions, purgedKeys, purged);
        }
    }

    /** Emits sessions {@code firedSessions[0 .. m)}; without allowed lateness they are done then. */
    private void fired(int m, Output out) throws Exception {
        emitSessions(m, out);
        if (lateness == 0) {
            unlink(firedSessions, firedKeys, m);
        }
    }

    /** Emits sessions {@code firedSessions[0 .. m)}, keys {@code firedKeys[0 .. m)}. */
    private void emitSessions(int m, Output out) throws Exception {
        if (records != null) {
            keys.keys(firedKeys, m, records.keys(m));
            for (int r = 0; r < m; r++) {
                long at = sessions.address(firedSessions[r]);
                records.firsts()[r] = MemoryUtil.getLong(at + FIRST);
                records.lasts()[r] = MemoryUtil.getLong(at + LAST);
            }
            records.fire(m, out);
            return;
        }
        if (fold != null) {
            writer.target(out);
            for (int r = 0; r < m; r++) {
                long at = sessions.address(firedSessions[r]);
                writer.collect(fold.emitted(folds.get(firedSessions[r]), Instant.ofEpochMilli(MemoryUtil.getLong(at + FIRST)),
                        Instant.ofEpochMilli(MemoryUtil.getLong(at + LAST) + gap)));
            }
            writer.flush();
            return;
        }
        RecordBatch result = output;
        result.ensureCapacity(m);
        keys.keys(firedKeys, m, result.vector(0));
        FieldVector starts = result.vector(1);
        FieldVector endsOut = result.vector(2);
        long startData = starts.getDataBufferAddress();
        long endData = endsOut.getDataBufferAddress();
        for (int r = 0; r < m; r++) {
            long at = sessions.address(firedSessions[r]);
            MemoryUtil.putLong(startData + ((long) r << 3), MemoryUtil.getLong(at + FIRST));
            MemoryUtil.putLong(endData + ((long) r << 3), MemoryUtil.getLong(at + LAST) + gap);
        }
        allValid(starts, m);
        allValid(endsOut, m);
        for (int a = 0; a < aggregateCount; a++) {
            writeResults(a, m, result.vector(3 + a));
        }
        result.setRowCount(m);
        out.emit(result);
    }

    /**
     * Takes sessions {@code done[0 .. m)} (keys {@code keyIds}) off the front of their keys' lists and frees
     * them; each is the first of its key's (a key's sessions are disjoint, so they end in the order linked).
     */
    private void unlink(int[] done, int[] keyIds, int m) {
        for (int r = 0; r < m; r++) {
            int s = done[r];
            int next = MemoryUtil.getInt(sessions.address(s) + NEXT);
            long entry = heads.writable(keyIds[r]);
            MemoryUtil.putInt(entry + HEAD, next);
            if (next == NONE) {
                MemoryUtil.putInt(entry + TAIL, NONE);
            } else {
                MemoryUtil.putInt(sessions.writable(next) + PREVIOUS, NONE);
            }
            free(s);
        }
    }

    private static void allValid(FieldVector vector, int m) {
        long validity = vector.getValidityBufferAddress();
        MemoryUtil.setMemory(validity, (m + 7) >>> 3, (byte) 0xFF);
    }

    /** Aggregate {@code a}'s result per fired session, written straight into the reused output vector. */
    private void writeResults(int a, int m, FieldVector out) {
        long value = ACCUMULATORS + 16L * a;
        boolean dbl = types[a] == ColumnType.FLOAT64;
        boolean int32 = out instanceof IntVector;
        long data = out.getDataBufferAddress();
        long validity = out.getValidityBufferAddress();
        allValid(out, m);
        AggregateKind kind = kinds[a];
        for (int r = 0; r < m; r++) {
            long at = sessions.address(firedSessions[r]);
            long count = MemoryUtil.getLong(at + value + 8);
            long v = MemoryUtil.getLong(at + value);
            if (kind == AggregateKind.COUNT) {
                v = count;
            } else if (count == 0) {
                MemoryUtil.putByte(validity + (r >>> 3),
                        (byte) (MemoryUtil.getByte(validity + (r >>> 3)) & ~(1 << (r & 7))));
                continue;
            } else if (kind == AggregateKind.AVG) {
                v = Double.doubleToRawLongBits((dbl ? Double.longBitsToDouble(v) : (double) v) / count);
            }
            if (int32) {
                MemoryUtil.putInt(data + ((long) r << 2), (int) v);
            } else {
                MemoryUtil.putLong(data + ((long) r << 3), v);
            }
        }
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        TableSnapshot keySnapshot = keys.snapshot();
        PagedRecords.Frozen frozenHeads = heads.freeze(keySnapshot.groupCount());
        PagedRecords.Frozen frozenSessions = sessions.freeze(recordCount);
        ReducedRecords.Snapshot foldSnapshot = folds != null ? folds.snapshot() : null;
        SessionStateFile state = new SessionStateFile(keySnapshot, frozenHeads, frozenSessions, foldSnapshot,
                fold != null ? fold.stateSchema() : null, keySpec.outputSchema().column(0).type(),
                aggregateCount, maxParallelism, KeyGroups.firstKeyGroup(subtask, maxParallelism, parallelism),
                KeyGroups.lastKeyGroupExclusive(subtask, maxParallelism, parallelism), watermark);
        if (records == null) {
            return state;
        }
        JoinBuffer.Snapshot[] rows = {records.snapshot()};
        long at = watermark;
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws Exception {
                return state.writeTo(file) + JoinState.write(JoinState.recordsFile(file), at, subtask, parallelism,
                        maxParallelism, rows, allocator);
            }

            @Override
            public void close() {
                state.close();
                rows[0].close();
            }
        };
    }

    /** This subtask's key groups of every old subtask's sessions. */
    @Override
    public void restoreState(StateRestore restore) throws IOException {
        long lowestWatermark = Long.MAX_VALUE;
        boolean any = false;
        SessionStateFile.Reader reader = new SessionStateFile.Reader(inputSchema, keyField, aggregateCount,
                fold != null ? fold.stateSchema() : null, restore.maxParallelism(), allocator);
        for (Path file : restore.files()) {
            long fileWatermark = reader.read(file, restore.keyGroups().first(), restore.keyGroups().endExclusive(), this);
            if (records != null) {
                records.restore(file, restore.keyGroups());
            }
            if (fileWatermark != Long.MAX_VALUE) {
                any = true;
                lowestWatermark = Math.min(lowestWatermark, fileWatermark);
            }
        }
        if (any) {
            watermark = lowestWatermark;
        }
    }

    /**
     * Restore: appends sessions read from a state file, {@code keyBatch}'s rows in order (each key's sessions
     * come together, oldest first); {@code values} holds each row's first, last, flags and accumulator words.
     */
    void restoreSessions(RecordBatch keyBatch, long[] values, Tuple[] restoredFolds) {
        int n = keyBatch.rowCount();
        int[] keyIds = lookup.groupIds(keyBatch, keys);
        heads.ensureRecords(keys.groupCount());
        int words = 3 + 2 * aggregateCount;
        int previousKey = NONE;
        int previous = NONE;
        for (int i = 0; i < n; i++) {
            int key = keyIds[i];
            int s = recordCount++;
            sessions.ensureRecords(recordCount);
            if (folds != null) {
                folds.add(restoredFolds[i], 0);
            }
            long at = sessions.writable(s);
            int w = i * words;
            MemoryUtil.putLong(at + FIRST, values[w]);
            MemoryUtil.putLong(at + LAST, values[w + 1]);
            MemoryUtil.putInt(at + NEXT, NONE);
            MemoryUtil.putInt(at + PREVIOUS, key == previousKey ? previous : NONE);
            MemoryUtil.putInt(at + KEY, key);
            MemoryUtil.putInt(at + GENERATION, ++generations);
            int flags = (int) values[w + 2] & FIRED;
            MemoryUtil.putInt(at + FLAGS, flags);
            for (int k = 3; k < words; k++) {
                MemoryUtil.putLong(at + ACCUMULATORS + 8L * (k - 3), values[w + k]);
            }
            if (key == previousKey) {
                MemoryUtil.putInt(sessions.writable(previous) + NEXT, s);
            } else {
                MemoryUtil.putInt(heads.writable(key) + HEAD, s);
            }
            MemoryUtil.putInt(heads.writable(key) + TAIL, s);
            previousKey = key;
            previous = s;
            ends.push(values[w + 1] + gap + (flags != 0 ? lateness : 0), s, generations);
        }
    }

    @Override
    public void close() {
        if (scratch != null) {
            scratch.close();
        }
        if (output != null) {
            output.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (records != null) {
            records.close();
        }
        if (ends != null) {
            ends.close();
        }
        if (sessions != null) {
            sessions.close();
        }
        if (heads != null) {
            heads.close();
        }
        if (keys != null) {
            keys.close();
        }
    }
}
