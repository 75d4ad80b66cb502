package io.riffle.engine.internal.operator;

import java.nio.ByteBuffer;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.batch.Validity;
import io.riffle.columnar.kernel.EventTimeKernel;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.expr.BoundPredicate;
import io.riffle.engine.expr.Expr;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.Watermark;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Assigns a stream's watermarks from its records' timestamps. Per batch (the default): one pass over the
 * batch's timestamps, then after the batch the watermark {@code highest timestamp - out-of-orderness - 1}
 * when it went up. Per record, punctuated by a predicate or by a field carrying watermarks: one pass finds
 * the records after which a watermark is due, and the batch is passed on in pieces with each watermark
 * right after its record, so that downstream operators see what Flink's see when a generator emits from
 * {@code onEvent}. A record at or below the watermark so far, which may be late downstream, goes in a piece
 * of its own: operators that act once per batch on late records (allowed-lateness firings) then act once
 * per late record, as Flink's do. With an idle timeout it marks the stream idle once no record came for
 * that long; the next batch makes it active again. Incoming watermarks are dropped: this operator decides
 * the stream's event time from here on.
 */
public final class WatermarkAssignerOperator extends Operator {
    /** After a piece: no watermark, only the end of a piece that holds a record at or below the watermark. */
    private static final long NO_WATERMARK = Long.MIN_VALUE;

    private enum Mode { PER_BATCH, PER_RECORD, PUNCTUATED_BY_PREDICATE, PUNCTUATED_BY_FIELD }

    private final Mode mode;
    private final BatchSchema schema;
    private final int field;
    private final long outOfOrdernessMillis;
    private final long idleNanos;
    /** The records a watermark follows ({@link Mode#PUNCTUATED_BY_PREDICATE}); else null. */
    private final BoundPredicate marker;
    /** The field carrying watermarks ({@link Mode#PUNCTUATED_BY_FIELD}); else -1. */
    private final int watermarkField;
    /** The highest timestamp seen; with watermarks from a field, the highest watermark it carried. */
    private long highest = Long.MIN_VALUE;
    private long emitted = Watermark.NONE;
    /** The watermark a restored checkpoint had emitted, for {@link #start}; {@link Watermark#NONE} when none. */
    private long restoredWatermark = Watermark.NONE;
    private long lastRecordNanos = System.nanoTime();
    private boolean idle;
    /** Where a batch is split: piece k ends after row {@code cutRows[k]} and is followed by watermark {@code cutMarks[k]}. */
    private int[] cutRows;
    private long[] cutMarks;
    private int cuts;
    /** While a batch is scanned for cuts: where the open piece starts, and the watermark so far. */
    private int pieceStart;
    private long scanWatermark;
    private SelectionVector marked;
    private SelectionVector piece;
    private RecordBatch pieceRows;

    private WatermarkAssignerOperator(Mode mode, BatchSchema schema, int field, long outOfOrdernessMillis,
                                      long idleNanos, BoundPredicate marker, int watermarkField) {
        this.mode = mode;
        this.schema = schema;
        this.field = field;
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.idleNanos = idleNanos;
        this.marker = marker;
        this.watermarkField = watermarkField;
    }

    /** A watermark after each batch that raises it. */
    public static WatermarkAssignerOperator perBatch(BatchSchema schema, int field, long outOfOrdernessMillis,
                                                     long idleNanos) {
        return new WatermarkAssignerOperator(Mode.PER_BATCH, schema, field, outOfOrdernessMillis, idleNanos, null, -1);
    }

    /** A watermark after each record that raises it. */
    public static WatermarkAssignerOperator perRecord(BatchSchema schema, int field, long outOfOrdernessMillis,
                                                      long idleNanos) {
        return new WatermarkAssignerOperator(Mode.PER_RECORD, schema, field, outOfOrdernessMillis, idleNanos, null, -1);
    }

    /** A watermark after each record {@code marker} is true for that raises it; binding fails naming the expression. */
    public static WatermarkAssignerOperator punctuatedBy(BatchSchema schema, int field, long outOfOrdernessMillis,
                                                         long idleNanos, Expr marker) {
        return new WatermarkAssignerOperator(Mode.PUNCTUATED_BY_PREDICATE, schema, field, outOfOrdernessMillis,
                idleNanos, BoundPredicate.bind(schema, marker, "a watermark marker needs a bool predicate"), -1);
    }

    /** The watermark {@code watermarkField} carries, after each record where it is above the last one. */
    public static WatermarkAssignerOperator punctuatedByField(BatchSchema schema, int field, int watermarkField,
                                                              long idleNanos) {
        return new WatermarkAssignerOperator(Mode.PUNCTUATED_BY_FIELD, schema, field, 0, idleNanos, null,
                watermarkField);
    }

    @Override
    public void open(SubtaskContext context) {
        if (mode == Mode.PER_BATCH) {
            return;
        }
        int batchSize = context.batchSize();
        cutRows = new int[batchSize];
        cutMarks = new long[batchSize];
        piece = new SelectionVector(batchSize);
        pieceRows = RecordBatch.allocate(schema, context.allocator(), batchSize);
        if (marker != null) {
            marker.open(context.allocator(), batchSize);
            marked = new SelectionVector(batchSize);
        }
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        FieldVector timestamps = batch.vector(field);
        if (Validity.hasNulls(timestamps)) {
            int row = 0;
            while (!timestamps.isNull(row)) {
                row++;
            }
            StringBuilder record = new StringBuilder("(");
            for (int c = 0; c < batch.columnCount(); c++) {
                record.append(c == 0 ? "" : ",").append(batch.value(row, c));
            }
            throw new IllegalArgumentException("timestamp field '" + schema.column(field).name() + "' is null in record "
                    + record + "): event time needs a timestamp on every record");
        }
        idle = false;
        if (idleNanos > 0) {
            lastRecordNanos = System.nanoTime();
        }
        if (mode == Mode.PER_BATCH) {
            highest = Math.max(highest, EventTimeKernel.max(timestamps, n));
            out.emit(batch);
            long watermark = boundedWatermark(highest);
            if (watermark > emitted) {
                emitted = watermark;
                out.emitWatermark(watermark);
            }
            return;
        }
        if (cutRows.length < n) {
            cutRows = new int[n];
            cutMarks = new long[n];
        }
        switch (mode) {
            case PER_RECORD -> cutAtRisingRecords(timestamps, n);
            case PUNCTUATED_BY_PREDICATE -> cutAtMarkedRecords(batch, timestamps, n);
            case PUNCTUATED_BY_FIELD -> cutAtCarriedWatermarks(batch, timestamps, n);
            case PER_BATCH -> throw new IllegalStateException("per-batch watermarks are not cut");
        }
        emitPieces(batch, out);
    }

    /** {@code highest - out-of-orderness - 1}, or {@link Watermark#NONE} for a time too low to have one. */
    private long boundedWatermark(long highestTime) {
        long watermark = highestTime - outOfOrdernessMillis - 1;
        return highestTime == Long.MIN_VALUE || watermark > highestTime ? Watermark.NONE
                : Math.max(Watermark.NONE, watermark);
    }

    /** Per record: a watermark after every record that raises it. */
    private void cutAtRisingRecords(FieldVector timestamps, int n) {
        long times = timestamps.getDataBufferAddress();
        long high = highest;
        startCutting();
        for (int i = 0; i < n; i++) {
            long t = MemoryUtil.getLong(times + ((long) i << 3));
            high = Math.max(high, t);
            cut(i, t, boundedWatermark(high));
        }
        highest = high;
    }

    /** Punctuated by a predicate: a watermark after every marked record that raises it. */
    private void cutAtMarkedRecords(RecordBatch batch, FieldVector timestamps, int n) {
        int markedCount = marker.select(batch, marked);
        int[] markedRows = marked.rows();
        long times = timestamps.getDataBufferAddress();
        long high = highest;
        startCutting();
        for (int i = 0, m = 0; i < n; i++) {
            long t = MemoryUtil.getLong(times + ((long) i << 3));
            high = Math.max(high, t);
            boolean isMarked = m < markedCount && markedRows[m] == i;
            if (isMarked) {
                m++;
            }
            cut(i, t, isMarked ? boundedWatermark(high) : NO_WATERMARK);
        }
        highest = high;
    }

    /**
     * Punctuated by a field: after every record whose field holds a watermark above the last, that one. A
     * restored stream's watermarks do not go below the highest carried before ({@link #highest}).
     */
    private void cutAtCarriedWatermarks(RecordBatch batch, FieldVector timestamps, int n) {
        FieldVector carried = batch.vector(watermarkField);
        long values = carried.getDataBufferAddress();
        long validity = Validity.hasNulls(carried) ? carried.getValidityBufferAddress() : 0L;
        long times = timestamps.getDataBufferAddress();
        long floor = Math.max(Watermark.NONE, highest);
        startCutting();
        for (int i = 0; i < n; i++) {
            long t = MemoryUtil.getLong(times + ((long) i << 3));
            boolean present = validity == 0L || ((MemoryUtil.getByte(validity + (i >>> 3)) >>> (i & 7)) & 1) != 0;
            cut(i, t, present ? Math.max(floor, MemoryUtil.getLong(values + ((long) i << 3))) : NO_WATERMARK);
        }
        highest = Math.max(highest, scanWatermark);
    }

    private void startCutting() {
        cuts = 0;
        pieceStart = 0;
        scanWatermark = emitted;
    }

    /**
     * The cuts row {@code i} (time {@code t}) needs, given the watermark its predecessors left: when it is at
     * or below that watermark (it may be late downstream), one before it if a piece is open and one after it,
     * so that it travels alone; one after it, followed by {@code candidate}, when that raises the watermark.
     */
    private void cut(int i, long t, long candidate) {
        boolean late = t <= scanWatermark;
        if (late && i > pieceStart) {
            addCut(i - 1, NO_WATERMARK);
        }
        if (candidate > scanWatermark) {
            scanWatermark = candidate;
            addCut(i, candidate);
        } else if (late) {
            addCut(i, NO_WATERMARK);
        }
    }

    private void addCut(int lastRow, long watermark) {
        cutRows[cuts] = lastRow;
        cutMarks[cuts++] = watermark;
        pieceStart = lastRow + 1;
    }

    /** Emits the batch in the pieces {@link #cutRows} says, each followed by its watermark; whole when uncut. */
    private void emitPieces(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        int start = 0;
        for (int k = 0; k < cuts; k++) {
            int end = cutRows[k] + 1;
            emitRows(batch, start, end, out);
            if (cutMarks[k] != NO_WATERMARK) {
                emitted = cutMarks[k];
                out.emitWatermark(emitted);
            }
            start = end;
        }
        if (start < n) {
            emitRows(batch, start, n, out);
        }
    }

    /** Rows {@code [start, end)} of {@code batch}: the batch itself when that is all of it, else a copy. */
    private void emitRows(RecordBatch batch, int start, int end, Output out) throws Exception {
        if (start == 0 && end == batch.rowCount()) {
            out.emit(batch);
            return;
        }
        int count = end - start;
        piece.ensureCapacity(count);
        int[] rows = piece.rows();
        for (int i = 0; i < count; i++) {
            rows[i] = start + i;
        }
        piece.setSize(count);
        GatherKernel.gather(batch, piece, pieceRows);
        out.emit(pieceRows);
    }

    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark == Watermark.MAX) {
            emitted = watermark;
            out.emitWatermark(watermark);
        }
    }

    /**
     * The highest timestamp seen and the last watermark emitted, so that a restored stream's watermarks go
     * on from where they were.
     */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return OperatorSnapshot.inline(ByteBuffer.allocate(16).putLong(highest).putLong(emitted).array(), false);
    }

    /**
     * The lowest of the old subtasks' highest timestamps and last watermarks: at another parallelism, the
     * ones safe for all. A state from before the watermark was kept (8 bytes) restores no watermark.
     */
    @Override
    public void restoreState(StateRestore restore) {
        if (restore.operatorStates().isEmpty()) {
            return;
        }
        long lowestHighest = Long.MAX_VALUE;
        long lowestEmitted = Long.MAX_VALUE;
        for (byte[] state : restore.operatorStates()) {
            ByteBuffer in = ByteBuffer.wrap(state);
            lowestHighest = Math.min(lowestHighest, in.getLong());
            lowestEmitted = Math.min(lowestEmitted, in.remaining() >= 8 ? in.getLong() : Watermark.NONE);
        }
        highest = lowestHighest;
        restoredWatermark = lowestEmitted;
    }

    /**
     * A restored assigner emits its last watermark before any record: operators downstream with several
     * inputs take the lowest of their inputs', and until this input said where it was, it would hold theirs
     * back (a watermark a run without the failure had passed would not be passed), whether or not its
     * source reads anything soon.
     */
    @Override
    public void start(Output out) throws Exception {
        if (restoredWatermark != Watermark.NONE && restoredWatermark != Watermark.MAX) {
            emitted = restoredWatermark;
            out.emitWatermark(emitted);
        }
    }

    @Override
    public boolean usesProcessingTime() {
        return idleNanos > 0;
    }

    @Override
    public void onProcessingTime(long nanoTime, Output out) throws Exception {
        if (!idle && nanoTime - lastRecordNanos >= idleNanos) {
            idle = true;
            out.emitWatermark(Watermark.IDLE);
        }
    }

    @Override
    public void close() {
        if (pieceRows != null) {
            pieceRows.close();
            pieceRows = null;
        }
        if (marker != null) {
            marker.close();
        }
    }
}
