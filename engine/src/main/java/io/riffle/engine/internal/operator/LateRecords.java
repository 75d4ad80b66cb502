package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.internal.runtime.OperatorMetrics;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.SubtaskContext;

/**
 * Where a time-window operator's late records go: counted as dropped in its metrics, and sent to its
 * late-data side output when one was asked for. Owned by the operator's thread.
 */
final class LateRecords {
    private final int sideOutput;
    private final OperatorMetrics metrics;
    private final int subtask;
    private final int uid;

    /** {@code sideOutput}: the side output late records go to, or -1 to only count them. */
    LateRecords(int sideOutput, SubtaskContext context) {
        this.sideOutput = sideOutput;
        this.metrics = context.metrics();
        this.subtask = context.subtask();
        this.uid = context.uid();
    }

    /** Drops the {@code rows} of {@code batch} as late; {@code scratch} (of the batch's schema) takes their copy. */
    void drop(RecordBatch batch, SelectionVector rows, RecordBatch scratch, Output out) throws Exception {
        if (rows.size() == 0) {
            return;
        }
        metrics.addDropped(subtask, rows.size());
        if (sideOutput >= 0) {
            GatherKernel.gather(batch, rows, scratch);
            out.emitSide(uid, sideOutput, scratch);
        }
    }
}
