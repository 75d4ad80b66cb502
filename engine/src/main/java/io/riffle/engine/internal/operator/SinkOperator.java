package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TwoPhaseCommitWriter;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;

/** The end of a chain: hands batches to a {@link Sink}'s writer, finishes it at end of input. */
public final class SinkOperator extends Operator {
    private final Sink sink;
    private final BatchSchema schema;
    private SinkWriter writer;
    private SubtaskContext context;
    /** The last checkpoint this subtask snapshotted or was restored from (0: none). */
    private long lastCheckpoint;

    public SinkOperator(Sink sink, BatchSchema schema) {
        this.sink = sink;
        this.schema = schema;
    }

    @Override
    public void open(SubtaskContext context) throws Exception {
        writer = sink.createWriter(schema, context);
        this.context = context;
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        writer.write(batch);
    }

    /** A two-phase-commit writer stages the output since the last checkpoint; its committable goes in the checkpoint. */
    @Override
    public OperatorSnapshot snapshotState(long checkpointId) throws Exception {
        lastCheckpoint = checkpointId;
        if (!(writer instanceof TwoPhaseCommitWriter w)) {
            return null;
        }
        byte[] committable = w.prepareCommit(checkpointId);
        return committable == null ? null : OperatorSnapshot.inline(committable, true);
    }

    /**
     * The operator keeps no state; what matters is the restored checkpoint's id (see {@link #endInput}),
     * which a two-phase-commit writer is told so that it can take up the output that checkpoint recorded.
     */
    @Override
    public void restoreState(StateRestore restore) throws Exception {
        lastCheckpoint = restore.checkpointId();
        if (writer instanceof TwoPhaseCommitWriter w) {
            w.restoredFrom(restore.checkpointId());
        }
    }

    /**
     * The writer finishes; a two-phase-commit writer then stages its last output, which goes into the
     * checkpoints taken from now on and is committed by the first to complete, or once every subtask of the
     * job has finished (any other writer's finish commits its output). The last output is staged under the
     * id after the last checkpoint this subtask saw: every checkpoint that will hold it has that id or a
     * higher one, and every checkpoint that does not a lower one, which is what a retracting sink needs to
     * know on a fallback.
     */
    @Override
    public void endInput(Output out) throws Exception {
        writer.finish();
        if (writer instanceof TwoPhaseCommitWriter w) {
            byte[] committable = w.prepareCommit(lastCheckpoint + 1);
            if (committable != null) {
                context.finalCommits().add(context.uid(), context.subtask(), committable);
            }
        }
    }

    @Override
    public void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
    }
}
