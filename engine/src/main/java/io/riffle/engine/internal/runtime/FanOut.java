package io.riffle.engine.internal.runtime;

import io.riffle.columnar.batch.RecordBatch;

/** A chain's end when its stream feeds several edges: each gets every batch. */
final class FanOut implements Output {
    private final Output[] outputs;

    FanOut(Output[] outputs) {
        this.outputs = outputs;
    }

    @Override
    public void emit(RecordBatch batch) throws Exception {
        for (Output o : outputs) {
            o.emit(batch);
        }
    }

    @Override
    public void emitSide(int operator, int index, RecordBatch batch) throws Exception {
        for (Output o : outputs) {
            o.emitSide(operator, index, batch);
        }
    }

    @Override
    public void emitWatermark(long watermark) throws Exception {
        for (Output o : outputs) {
            o.emitWatermark(watermark);
        }
    }
}
