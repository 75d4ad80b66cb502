package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.Validity;
import org.apache.arrow.vector.FieldVector;

/**
 * Where an operator reads its input's event time: field {@code index} (timestamp[ms] or int64 epoch
 * milliseconds) plus {@code offsetMillis}. The offset is 0 for a field watermarks were assigned from, and -1 on
 * a window's output, whose event time is the window's last millisecond, {@code window_end - 1} (Flink's
 * {@code window.maxTimestamp()}): the window's columns stay as they are, and the millisecond is taken off where
 * the time is read, one addition in loops that read the column anyway.
 */
public record EventTimeField(int index, long offsetMillis) {
    /** The field's value is the event time. */
    public static EventTimeField of(int index) {
        return new EventTimeField(index, 0);
    }

    /** {@code batch}'s column of this field; a null timestamp fails the job naming the field. */
    public FieldVector timestamps(RecordBatch batch) {
        FieldVector timestamps = batch.vector(index);
        // Counting nulls scans the validity bits; a column declared not null holds none.
        if (batch.schema().column(index).nullable() && Validity.hasNulls(timestamps)) {
            throw new IllegalArgumentException("timestamp field '" + batch.schema().column(index).name()
                    + "' is null: a window needs a timestamp on every record");
        }
        return timestamps;
    }
}
