package io.riffle.engine.internal.connector;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;

/** Appends every record, as a {@link Tuple}, to a caller's list (under the list's lock). */
public final class CollectSink implements Sink {
    private final List<Tuple> target;

    public CollectSink(List<Tuple> target) {
        this.target = target;
    }

    @Override
    public String name() {
        return "collect";
    }

    @Override
    public SinkWriter createWriter(BatchSchema schema, TaskContext context) {
        return new SinkWriter() {
            @Override
            public void write(RecordBatch batch) {
                int n = batch.rowCount();
                Tuple[] rows = new Tuple[n];
                Object[] values = new Object[batch.columnCount()];
                for (int row = 0; row < n; row++) {
                    for (int c = 0; c < values.length; c++) {
                        values[c] = batch.value(row, c);
                    }
                    rows[row] = Tuple.of(values);
                }
                synchronized (target) {
                    target.addAll(List.of(rows));
                }
            }

            @Override
            public void finish() {
            }

            @Override
            public void close() {
            }
        };
    }
}
