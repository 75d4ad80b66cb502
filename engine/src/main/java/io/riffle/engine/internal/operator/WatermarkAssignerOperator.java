package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.Validity;
import java.nio.ByteBuffer;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.kernel.EventTimeKernel;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.Watermark;
import org.apache.arrow.vector.FieldVector;

/**
 * Reads each batch's timestamps (one pass over the column) and, after passing the batch on, emits the
 * watermark {@code highest timestamp - out-of-orderness - 1} when it went up. With an idle timeout it
 * marks the stream idle once no record came for that long; the next batch makes it active again.
 * Incoming watermarks are dropped: this operator decides the stream's event time from here on.
 */
public final class WatermarkAssignerOperator extends Operator {
    private final int field;
    private final String fieldName;
    private final long outOfOrdernessMillis;
    private final long idleNanos;
    private long highest = Long.MIN_VALUE;
    private long emitted = Watermark.NONE;
    private long lastRecordNanos = System.nanoTime();
    private boolean idle;

    public WatermarkAssignerOperator(int field, String fieldName, long outOfOrdernessMillis, long idleNanos) {
        this.field = field;
        this.fieldName = fieldName;
        this.outOfOrdernessMillis = outOfOrdernessMillis;
        this.idleNanos = idleNanos;
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
            throw new IllegalArgumentException("timestamp field '" + fieldName + "' is null in record " + record
                    + "): event time needs a timestamp on every record");
        }
        highest = Math.max(highest, EventTimeKernel.max(timestamps, n));
        idle = false;
        if (idleNanos > 0) {
            lastRecordNanos = System.nanoTime();
        }
        out.emit(batch);
        if (highest != Long.MIN_VALUE) {
            long watermark = highest - outOfOrdernessMillis - 1;
            if (watermark > emitted) {
                emitted = watermark;
                out.emitWatermark(watermark);
            }
        }
    }

    @Override
    public void processWatermark(long watermark, Output out) throws Exception {
        if (watermark == Watermark.MAX) {
            emitted = watermark;
            out.emitWatermark(watermark);
        }
    }

    /** The highest timestamp seen, so that a restored stream's watermarks go on from where they were. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) {
        return OperatorSnapshot.inline(ByteBuffer.allocate(8).putLong(highest).array(), false);
    }

    /** The lowest of the old subtasks' highest timestamps: at another parallelism, the one safe for all. */
    @Override
    public void restoreState(StateRestore restore) {
        long lowest = Long.MAX_VALUE;
        for (byte[] state : restore.operatorStates()) {
            lowest = Math.min(lowest, ByteBuffer.wrap(state).getLong());
        }
        if (!restore.operatorStates().isEmpty()) {
            highest = lowest;
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
}
