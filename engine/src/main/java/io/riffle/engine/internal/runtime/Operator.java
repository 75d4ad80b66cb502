package io.riffle.engine.internal.runtime;

import io.riffle.columnar.batch.RecordBatch;

/**
 * One step of a subtask's chain: takes dense batches (no selection) and emits batches to the next step.
 * A batch handed to {@link #process} or {@link Output#emit} is only valid during that call; an operator
 * that keeps data copies it (into its state or its own output batches). One instance per subtask, called
 * by one thread.
 */
public abstract class Operator implements AutoCloseable {
    /** Called once before the first batch. */
    public void open(SubtaskContext context) throws Exception {
    }

    /** Processes one batch, emitting any results to {@code out} before returning. */
    public abstract void process(RecordBatch batch, Output out) throws Exception;

    /**
     * Processes one batch of input {@code input} (0 or 1 for an operator of two inputs, the position among
     * a union's inputs); the default ignores which.
     */
    public void process(int input, RecordBatch batch, Output out) throws Exception {
        process(batch, out);
    }

    /**
     * Whether the operator takes batches of input {@code input} now. A source subtask reads its source only
     * while the operators its input channels feed take input 0: a broadcast join chained onto the source
     * takes its left side once its build side has ended. The default: always.
     */
    public boolean acceptsInput(int input) {
        return true;
    }

    /** Input {@code input} has ended (every channel of it); the others may go on. Called before {@link #endInput}. */
    public void endOfInput(int input, Output out) throws Exception {
    }

    /**
     * Event time has reached {@code watermark} (see {@link Output#emitWatermark}): fire what it closes,
     * then pass it on. The default passes it on.
     */
    public void processWatermark(long watermark, Output out) throws Exception {
        out.emitWatermark(watermark);
    }

    /**
     * Called once, after {@link #restoreState} and before any input: emit what downstream must have before
     * the first record (a restored watermark assigner, the watermark it had emitted). The default emits
     * nothing.
     */
    public void start(Output out) throws Exception {
    }

    /** Whether the subtask must call {@link #onProcessingTime} as wall-clock time goes by. */
    public boolean usesProcessingTime() {
        return false;
    }

    /**
     * Wall-clock time is {@code nanoTime} ({@link System#nanoTime()}); called between batches and while
     * the input is empty, when {@link #usesProcessingTime()} says so.
     */
    public void onProcessingTime(long nanoTime, Output out) throws Exception {
    }

    /** Every input has ended: emit what is left (a batch aggregation emits its groups here). */
    public void endInput(Output out) throws Exception {
    }

    /**
     * The synchronous part of checkpoint {@code checkpointId}, between two batches: capture the state
     * cheaply (copy-on-write) and return what writes it out, which runs on the checkpoint thread while
     * processing goes on; null when the operator keeps no state.
     */
    public OperatorSnapshot snapshotState(long checkpointId) throws Exception {
        return null;
    }

    /** Before {@link #open}'s first batch: take up the state of a restored checkpoint. */
    public void restoreState(StateRestore restore) throws Exception {
    }

    /** Frees the operator's memory; called once, whether the job finished or failed. */
    @Override
    public void close() throws Exception {
    }
}
