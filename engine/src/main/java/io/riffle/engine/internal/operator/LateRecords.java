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
    private final LateOutput output;
    private final OperatorMetrics metrics;
    private final int subtask;
    private final int uid;

    LateRecords(LateOutput output, SubtaskContext context) {
        this.output = output;
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
        if (output.sent()) {
            GatherKernel.gather(batch, rows, scratch);
            out.emitSide(uid, output.sideOutput(), scratch);
        }
    }
}
