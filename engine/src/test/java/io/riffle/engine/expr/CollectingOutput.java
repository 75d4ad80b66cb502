package io.riffle.engine.expr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.internal.runtime.Output;

/** Copies every emitted row's values, boxed, since an emitted batch is only valid during the call. */
final class CollectingOutput implements Output {
    final List<List<Object>> rows = new ArrayList<>();
    final List<RecordBatch> batches = new ArrayList<>();
    final List<Long> watermarks = new ArrayList<>();
    BatchSchema schema;

    @Override
    public void emit(RecordBatch batch) {
        if (batch.selection() != null) {
            throw new AssertionError("emitted a batch with a selection: " + batch);
        }
        batches.add(batch);
        schema = batch.schema();
        for (int r = 0; r < batch.rowCount(); r++) {
            Object[] row = new Object[batch.columnCount()];
            for (int c = 0; c < row.length; c++) {
                row[c] = batch.value(r, c);
            }
            rows.add(Arrays.asList(row));
        }
    }

    @Override
    public void emitWatermark(long watermark) {
        watermarks.add(watermark);
    }
}
