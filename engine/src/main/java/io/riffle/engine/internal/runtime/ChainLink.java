package io.riffle.engine.internal.runtime;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.FailureInjector;
import org.jspecify.annotations.Nullable;

/**
 * Feeds one operator of a chain and counts its input. Chained operators call each other directly, so a
 * batch crosses a whole chain without a ring or a copy. An exception is tagged with the operator it came
 * from, once, so that the job's error names it ({@link OperatorFailedException#of}). Built by {@link Chain},
 * which wires each link to the next.
 */
final class ChainLink implements Output {
    final Operator operator;
    final String name;
    /** The transformation id: names the operator's state in checkpoints. */
    final int uid;
    final OperatorMetrics metrics;
    final int subtask;
    final int parallelism;
    /** Test and demo hook that throws at a chosen record; null when none is injected. */
    private final @Nullable FailureInjector failures;
    /** Where the operator's output goes: the next link, or the chain's end. */
    private final Output next;
    /** What the operator emits into: counts the records, then passes them (and watermarks) to {@link #next}. */
    private final Output counted = new Output() {
        @Override
        public void emit(RecordBatch batch) throws Exception {
            metrics.addOut(subtask, batch.rowCount());
            next.emit(batch);
        }

        @Override
        public void emitWatermark(long watermark) throws Exception {
            next.emitWatermark(watermark);
        }

        @Override
        public void emitSide(int operator, int index, RecordBatch batch) throws Exception {
            next.emitSide(operator, index, batch);
        }
    };

    ChainLink(Chain.Member member, int subtask, int parallelism, @Nullable FailureInjector failures, Output next) {
        this.operator = member.operator();
        this.name = member.name();
        this.uid = member.uid();
        this.metrics = member.metrics();
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.failures = failures;
        this.next = next;
    }

    @Override
    public void emit(RecordBatch batch) {
        emit(0, batch);
    }

    /** A batch of input {@code input} of the chain's first operator. */
    void emit(int input, RecordBatch batch) {
        metrics.addIn(subtask, batch.rowCount());
        try {
            if (failures != null) {
                failures.beforeBatch(name, subtask, batch.rowCount());
            }
            operator.process(input, batch, counted);
        } catch (Throwable e) {
            throw OperatorFailedException.of(name, subtask, parallelism, e);
        }
    }

    @Override
    public void emitWatermark(long watermark) {
        call(() -> operator.processWatermark(watermark, counted));
    }

    /** Before any input: see {@link Operator#start}. */
    void start() {
        call(() -> operator.start(counted));
    }

    /** An upstream operator's side output passes this operator by. */
    @Override
    public void emitSide(int operator, int index, RecordBatch batch) throws Exception {
        next.emitSide(operator, index, batch);
    }

    void endOfInput(int input) {
        call(() -> operator.endOfInput(input, counted));
    }

    /** Processing time has moved on to {@code nanoTime}; only called when the operator asked for it. */
    void onProcessingTime(long nanoTime) {
        call(() -> operator.onProcessingTime(nanoTime, counted));
    }

    void endInput() {
        call(() -> operator.endInput(counted));
    }

    OperatorSnapshot snapshot(long checkpointId) {
        OperatorSnapshot[] result = new OperatorSnapshot[1];
        call(() -> result[0] = operator.snapshotState(checkpointId));
        return result[0];
    }

    /** A call into the operator between batches. */
    private interface OperatorCall {
        void run() throws Exception;
    }

    /** Runs {@code call}, tagging a failure with this operator, once. */
    private void call(OperatorCall call) {
        try {
            call.run();
        } catch (Throwable e) {
            throw OperatorFailedException.of(name, subtask, parallelism, e);
        }
    }
}
