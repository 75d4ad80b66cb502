package io.riffle.engine.internal.runtime;

import io.riffle.columnar.batch.RecordBatch;

/** The end of a chain on a side edge: only side output {@code index} of {@code operator} goes through, and watermarks. */
final class SideOutput implements Output {
    private final Output edge;
    private final int operator;
    private final int index;

    SideOutput(Output edge, int operator, int index) {
        this.edge = edge;
        this.operator = operator;
        this.index = index;
    }

    @Override
    public void emit(RecordBatch batch) {
    }

    @Override
    public void emitSide(int operator, int index, RecordBatch batch) throws Exception {
        if (operator == this.operator && index == this.index) {
            edge.emit(batch);
        }
    }

    @Override
    public void emitWatermark(long watermark) throws Exception {
        edge.emitWatermark(watermark);
    }
}
