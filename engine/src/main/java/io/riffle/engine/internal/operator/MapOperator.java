package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.FlatMapFunction;
import io.riffle.engine.MapFunction;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;

/** Runs a row-level {@link MapFunction} or {@link FlatMapFunction} over each row, batching what it returns. */
public final class MapOperator extends Operator {
    private final MapFunction map;
    private final FlatMapFunction flatMap;
    private final BatchSchema outputSchema;
    private final RowView view = new RowView();
    private RecordWriter writer;

    private MapOperator(MapFunction map, FlatMapFunction flatMap, BatchSchema outputSchema) {
        this.map = map;
        this.flatMap = flatMap;
        this.outputSchema = outputSchema;
    }

    public static MapOperator map(MapFunction function, BatchSchema outputSchema) {
        return new MapOperator(function, null, outputSchema);
    }

    public static MapOperator flatMap(FlatMapFunction function, BatchSchema outputSchema) {
        return new MapOperator(null, function, outputSchema);
    }

    @Override
    public void open(SubtaskContext context) {
        writer = new RecordWriter(context.operatorName(), outputSchema, context.allocator(), context.batchSize());
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        writer.target(out);
        int n = batch.rowCount();
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            if (map != null) {
                writer.collect(map.map(view));
            } else {
                flatMap.flatMap(view, writer);
            }
        }
        writer.flush();
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
