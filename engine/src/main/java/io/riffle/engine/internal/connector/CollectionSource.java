package io.riffle.engine.internal.connector;

import java.nio.ByteBuffer;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.Row;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;

/** Java rows given up front ({@code fromElements}, {@code fromCollection}), read by one subtask in order. */
public final class CollectionSource implements Source {
    private final String name;
    private final BatchSchema schema;
    private final List<? extends Row> rows;

    /** The rows must have been checked against {@code schema} (the API does, so errors surface at plan time). */
    public CollectionSource(String name, BatchSchema schema, List<? extends Row> rows) {
        this.name = name;
        this.schema = schema;
        this.rows = List.copyOf(rows);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatchSchema schema() {
        return schema;
    }

    @Override
    public int maxParallelism() {
        return 1;
    }

    @Override
    public SourceReader createReader(TaskContext context) {
        return reader(context, 0);
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    /** The position is the index of the next row (parallelism is 1: one position at the most). */
    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) {
        return reader(context, positions.isEmpty() ? rows.size() : ByteBuffer.wrap(positions.get(0)).getInt());
    }

    private SourceReader reader(TaskContext context, int from) {
        return new SourceReader() {
            private final RecordBatchBuilder builder = new RecordBatchBuilder(schema, context.allocator(),
                    Math.max(1, Math.min(rows.size(), context.batchSize())));
            private int next = from;
            private RecordBatch current;

            @Override
            public RecordBatch next() {
                closeCurrent();
                if (next >= rows.size()) {
                    return null;
                }
                int end = Math.min(rows.size(), next + context.batchSize());
                for (; next < end; next++) {
                    builder.addRow(rows.get(next));
                }
                current = builder.build();
                return current;
            }

            @Override
            public boolean isFinished() {
                return next >= rows.size();
            }

            @Override
            public byte[] position() {
                return ByteBuffer.allocate(4).putInt(next).array();
            }

            @Override
            public void close() {
                closeCurrent();
                builder.close();
            }

            private void closeCurrent() {
                if (current != null) {
                    current.close();
                    current = null;
                }
            }
        };
    }
}
