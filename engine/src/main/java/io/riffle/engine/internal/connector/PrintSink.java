package io.riffle.engine.internal.connector;

import java.io.PrintStream;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.Values;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;

/**
 * Prints each record as {@code (v0,v1,...)} on its own line. Subtasks print whole batches under the
 * stream's lock, so lines never interleave; order is kept per subtask (per key, after a keyBy).
 */
public final class PrintSink implements Sink {
    private final PrintStream out;

    public PrintSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "print";
    }

    @Override
    public SinkWriter createWriter(BatchSchema schema, TaskContext context) {
        return new SinkWriter() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public void write(RecordBatch batch) {
                text.setLength(0);
                int n = batch.rowCount();
                for (int row = 0; row < n; row++) {
                    text.append('(');
                    for (int c = 0; c < batch.columnCount(); c++) {
                        Values.append(text.append(c == 0 ? "" : ","), batch.value(row, c));
                    }
                    text.append(")\n");
                }
                synchronized (out) {
                    out.print(text);
                    out.flush();
                }
            }

            @Override
            public void finish() {
                out.flush();
            }

            @Override
            public void close() {
            }
        };
    }
}
