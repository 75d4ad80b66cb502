package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;

/** The end of a chain: hands batches to a {@link Sink}'s writer, finishes it at end of input. */
public final class SinkOperator extends Operator {
    private final Sink sink;
    private final BatchSchema schema;
    private SinkWriter writer;

    public SinkOperator(Sink sink, BatchSchema schema) {
        this.sink = sink;
        this.schema = schema;
    }

    @Override
    public void open(TaskContext context) throws Exception {
        writer = sink.createWriter(schema, context);
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        writer.write(batch);
    }

    @Override
    public void endInput(Output out) throws Exception {
        writer.finish();
    }

    @Override
    public void close() throws Exception {
        if (writer != null) {
            writer.close();
        }
    }
}
