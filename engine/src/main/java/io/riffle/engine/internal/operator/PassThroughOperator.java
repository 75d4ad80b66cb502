package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;

/** Emits its input unchanged: the operator of {@code union} and {@code rebalance}, whose work is the edge. */
public final class PassThroughOperator extends Operator {
    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        out.emit(batch);
    }
}
