package io.riffle.engine.internal.connector;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.BatchConsumer;
import io.riffle.engine.connector.Sink;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;

/** Hands every result batch to a {@link BatchConsumer}. */
public final class CallbackSink implements Sink {
    private final BatchConsumer consumer;

    public CallbackSink(BatchConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public String name() {
        return "sink";
    }

    @Override
    public SinkWriter createWriter(BatchSchema schema, TaskContext context) {
        return new SinkWriter() {
            @Override
            public void write(RecordBatch batch) throws Exception {
                consumer.accept(batch);
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
