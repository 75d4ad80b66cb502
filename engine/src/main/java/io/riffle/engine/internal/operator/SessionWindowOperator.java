package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.Accumulator;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.ProcessWindowFunction;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.jspecify.annotations.Nullable;

/**
 * Keyed event-time session windows: a record at {@code t} opens the window {@code [t, t + gap)}, and windows
 * of one key that overlap or touch (one ends where the other starts, as in Flink) merge into one session; a
 * session fires when the watermark reaches its last
 * millisecond ({@code last record + gap - 1}), emitting {@code (key, window_start, window_end, aggregates...)}.
 *
 * <p>State is off-heap, in {@link KeyedSessions}: each key's sessions ({@link SessionRecord}s) in order of time.
 * A batch is placed row by row, each record looked up from its key's newest session back (in time order that
 * is one step, however far the watermark lags): it extends a session, opens one, or merges the ones its window
 * bridges; then each aggregate is accumulated over the whole batch by its columnar {@link Accumulator}, its
 * loop chosen once; sessions merged during the batch forward to the one they merged into. A heap of session
 * ends finds what a watermark closes. A record whose own window has closed and that meets no open session is
 * late: counted, and sent to the side output when asked.
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
    private final BatchSchema inputSchema;
    private final int keyField;
    private final EventTimeField time;
    private final long gap;
    /** How long after firing a session is kept (ms of event time): late records still update and re-emit it. */
    private final long lateness;
    private final Accumulator[] accumulators;
    private final GroupBySpec keySpec;
    private final BatchSchema outputSchema;
    private final long budgetBytes;
    private final LateOutput lateOutput;
    private final SelectionVector lateRows = new SelectionVector(1024);
    private LateRecords lateRecords;
    /** A user function's fold of each session, or null with the built-in aggregates. */
    private final @Nullable WindowFold fold;
    private final RowView view = new RowView();
    private @Nullable RecordWriter writer;
    /** A process function's sessions: their records, kept to hand over when they fire; else null. */
    private final @Nullable SessionRecords records;

    private BufferAllocator allocator;
    private int batchSize;
    private int subtask;
    private int parallelism;
    private KeyGroupRange keyGroups;
    private KeyedSessions sessions;
    private RecordBatch scratch;
    /** Fired sessions are written here, reused: an emitted batch stays the emitter's. */
    private RecordBatch output;
    private long watermark = Long.MIN_VALUE;
    /** Per row of the batch being processed: its session, or {@link SessionRecord#NONE} when late. */
    private int[] sessionOf = new int[1024];
    /** Per row of the batch being processed: its session's record ({@link Accumulator#NO_RECORD} when late). */
    private long[] recordOf = new long[1024];
    private final int[] firedKeys = new int[1024];
    private final int[] firedSessions = new int[1024];
    /** The fired sessions' records, for the accumulators' results. */
    private final long[] firedRecords = new long[1024];

    /** {@code lateOutput}: whether late records go to a side output besides being counted. */
    public SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap,
                                 long lateness, Aggregate[] aggregates, long budgetBytes, LateOutput lateOutput) {
        this(inputSchema, keyField, time, gap, lateness, aggregates, null, null, null, budgetBytes, lateOutput);
    }

    /** Sessions folded by a user function ({@link WindowFold}) instead of the built-in aggregates. */
    public SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap, long lateness,
                                 WindowFold fold, long budgetBytes, LateOutput lateOutput) {
        this(inputSchema, keyField, time, gap, lateness, new Aggregate[0], fold, null, null, budgetBytes,
                lateOutput);
    }

    /**
     * Sessions handed whole to a {@link ProcessWindowFunction}, which emits records of {@code outputSchema}:
     * each session's records are kept ({@link SessionRecords}) until it is let go of.
     */
    public SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap, long lateness,
                                 ProcessWindowFunction function, BatchSchema outputSchema, long budgetBytes,
                                 LateOutput lateOutput) {
        this(inputSchema, keyField, time, gap, lateness, new Aggregate[0], null,
                new SessionRecords(function, inputSchema, keyField, time, gap, budgetBytes), outputSchema,
                budgetBytes, lateOutput);
    }

    private SessionWindowOperator(BatchSchema inputSchema, int keyField, EventTimeField time, long gap, long lateness,
                                  Aggregate[] aggregates, @Nullable WindowFold fold, @Nullable SessionRecords records,
                                  @Nullable BatchSchema processOutput, long budgetBytes, LateOutput lateOutput) {
        this.inputSchema = inputSchema;
        this.lateness = lateness;
        this.keyField = keyField;
        this.time = time;
        this.gap = gap;
        this.budgetBytes = budgetBytes;
        this.lateOutput = lateOutput;
        this.fold = fold;
        this.records = records;
        GroupBySpec user = GroupBySpec.of(inputSchema, keyField, aggregates);
        this.accumulators = new Accumulator[aggregates.length];
        for (int a = 0; a < aggregates.length; a++) {
            accumulators[a] = Accumulator.of(user, a, SessionRecord.accumulatorOffset(a));
        }
        this.keySpec = GroupBySpec.of(inputSchema, keyField);
        this.outputSchema = processOutput != null ? processOutput
                : fold != null ? fold.outputSchema(true) : WindowAggregateOperator.outputSchema(user);
    }

    @Override
    public void open(SubtaskContext context) {
        allocator = context.allocator();
        batchSize = context.batchSize();
        subtask = context.subtask();
        parallelism = context.parallelism();
        keyGroups = context.keyGroups();
        lateRecords = new LateRecords(lateOutput, context);
        sessions = new KeyedSessions(keySpec, keyField, gap, lateness, accumulators, fold, allocator, budgetBytes);
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
        int[] keyIds = sessions.keyIds(batch);
        if (sessionOf.length < n) {
            sessionOf = new int[Math.max(n, sessionOf.length * 2)];
            recordOf = new long[sessionOf.length];
        }
        long times = timestamps.getDataBufferAddress();
        int late = 0;
        for (int i = 0; i < n; i++) {
            int s = sessions.place(keyIds[i], MemoryUtil.getLong(times + ((long) i << 3)) + offset, watermark);
            sessionOf[i] = s;
            if (s == SessionRecord.NONE) {
                recordOf[i] = Accumulator.NO_RECORD;
                late++;
            } else {
                recordOf[i] = sessions.address(s);
            }
        }
        sessions.forwardMerged(sessionOf, recordOf, n);
        for (Accumulator accumulator : accumulators) {
            accumulator.accumulate(batch, recordOf, n);
        }
        if (fold != null) {
            foldRows(batch, n);
        }
        if (records != null) {
            records.add(batch, sessionOf, n);
        }
        sessions.freeMerged();
        if (lateness > 0) {
            emitUpdatedLateSessions(n, out);
        }
        if (late > 0) {
            dropLate(batch, n, late, out);
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
            int flags = SessionRecord.flags(at);
            if ((flags & SessionRecord.TOUCHED) != 0 || SessionRecord.last(at) + gap - 1 > watermark) {
                continue;
            }
            SessionRecord.flags(sessions.writable(s), flags | SessionRecord.TOUCHED | SessionRecord.FIRED);
            if (m == firedSessions.length || m == batchSize) {
                emitSessions(m, out);
                m = 0;
            }
            firedSessions[m] = s;
            firedKeys[m++] = SessionRecord.key(at);
        }
        if (m > 0) {
            emitSessions(m, out);
        }
        for (int i = 0; i < n; i++) {
            int s = sessionOf[i];
            if (s >= 0) {
                int flags = SessionRecord.flags(sessions.address(s));
                if ((flags & SessionRecord.TOUCHED) != 0) {
                    SessionRecord.flags(sessions.writable(s), flags & ~SessionRecord.TOUCHED);
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
            Tuple current = sessions.fold(s);
            sessions.fold(s, current == null ? fold.first(view) : fold.add(current, view));
        }
    }

    private void dropLate(RecordBatch batch, int n, int lateCount, Output out) throws Exception {
        lateRows.ensureCapacity(lateCount);
        int[] rows = lateRows.rows();
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (sessionOf[i] < 0) {
                rows[m++] = i;
            }
        }
        lateRows.setSize(m);
        lateRecords.drop(batch, lateRows, scratch, out);
    }

    /** Fires every session the watermark closes, in order of end, then passes the watermark on. */
    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark > this.watermark) {
            this.watermark = watermark;
            fire(out);
            if (records != null) {
                records.sweepIfGrown((rows, held) -> sessions.selectHeld(rows, time, held));
            }
        }
        out.emitWatermark(watermark);
    }

    /**
     * Emits the sessions whose end the watermark passed, a batch at a time (without allowed lateness they are
     * done then), and frees the fired sessions whose lateness ran out.
     */
    private void fire(Output out) throws Exception {
        int limit = Math.min(firedSessions.length, batchSize);
        for (int m = sessions.popDue(watermark, firedSessions, firedKeys, limit); m > 0;
             m = sessions.popDue(watermark, firedSessions, firedKeys, limit)) {
            emitSessions(m, out);
            if (lateness == 0) {
                sessions.unlink(firedSessions, firedKeys, m);
            }
        }
        sessions.unlinkExpired();
    }

    /** Emits sessions {@code firedSessions[0 .. m)}, keys {@code firedKeys[0 .. m)}. */
    private void emitSessions(int m, Output out) throws Exception {
        if (records != null) {
            sessions.keys().keys(firedKeys, m, records.keys(m));
            for (int r = 0; r < m; r++) {
                long at = sessions.address(firedSessions[r]);
                records.firsts()[r] = SessionRecord.first(at);
                records.lasts()[r] = SessionRecord.last(at);
            }
            records.fire(m, out);
            return;
        }
        if (fold != null) {
            writer.target(out);
            for (int r = 0; r < m; r++) {
                long at = sessions.address(firedSessions[r]);
                writer.collect(fold.emitted(sessions.fold(firedSessions[r]), Instant.ofEpochMilli(SessionRecord.first(at)),
                        Instant.ofEpochMilli(SessionRecord.last(at) + gap)));
            }
            writer.flush();
            return;
        }
        RecordBatch result = output;
        result.ensureCapacity(m);
        sessions.keys().keys(firedKeys, m, result.vector(0));
        FieldVector starts = result.vector(1);
        FieldVector endsOut = result.vector(2);
        long startData = starts.getDataBufferAddress();
        long endData = endsOut.getDataBufferAddress();
        for (int r = 0; r < m; r++) {
            long at = sessions.address(firedSessions[r]);
            firedRecords[r] = at;
            MemoryUtil.putLong(startData + ((long) r << 3), SessionRecord.first(at));
            MemoryUtil.putLong(endData + ((long) r << 3), SessionRecord.last(at) + gap);
        }
        allValid(starts, m);
        allValid(endsOut, m);
        for (int a = 0; a < accumulators.length; a++) {
            accumulators[a].writeResults(firedRecords, m, result.vector(3 + a));
        }
        result.setRowCount(m);
        out.emit(result);
    }

    private static void allValid(FieldVector vector, int m) {
        MemoryUtil.setMemory(vector.getValidityBufferAddress(), (m + 7) >>> 3, (byte) 0xFF);
    }

    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        SessionStateFile state = sessions.snapshot(new SessionStateFile.Settings(
                keySpec.outputSchema().column(0).type(), accumulators.length, fold != null ? fold.stateSchema() : null,
                keyGroups, watermark));
        if (records == null) {
            return state;
        }
        JoinBuffer.Snapshot[] rows = {records.snapshot()};
        long at = watermark;
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws Exception {
                return state.writeTo(file) + JoinState.write(JoinState.recordsFile(file), at, subtask, parallelism,
                        keyGroups.maxParallelism(), rows, allocator);
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
        SessionStateFile.Reader reader = new SessionStateFile.Reader(inputSchema, keyField, accumulators.length,
                fold != null ? fold.stateSchema() : null, allocator);
        for (Path file : restore.files()) {
            long fileWatermark = reader.read(file, restore.keyGroups(), sessions);
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
        if (sessions != null) {
            sessions.close();
        }
    }
}
