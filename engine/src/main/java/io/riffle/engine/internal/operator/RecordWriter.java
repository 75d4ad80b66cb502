package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.Collector;
import io.riffle.engine.Record;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.runtime.Output;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Collects records that user functions return into batches of the declared schema and emits each batch
 * once it holds {@code batchSize} rows (and on {@link #flush}). A record that does not fit the schema
 * fails naming the operator, the record, the output schema and what does not fit.
 */
final class RecordWriter implements Collector, AutoCloseable {
    private final String operator;
    private final BatchSchema schema;
    private final RecordBatchBuilder builder;
    private final int batchSize;
    private Output out;

    RecordWriter(String operator, BatchSchema schema, BufferAllocator allocator, int batchSize) {
        this.operator = operator;
        this.schema = schema;
        this.builder = new RecordBatchBuilder(schema, allocator, batchSize);
        this.batchSize = batchSize;
    }

    void target(Output out) {
        this.out = out;
    }

    @Override
    public void collect(Record record) {
        if (record == null) {
            throw new IllegalArgumentException(operator + " returned a null record");
        }
        try {
            builder.addRow(record);
        } catch (IllegalArgumentException e) {
            throw misfit(record, e);
        }
        emitIfFull();
    }

    @Override
    public void collect(Object... fields) {
        try {
            builder.addRow(fields);
        } catch (IllegalArgumentException e) {
            throw misfit(Tuple.of(fields), e);
        }
        emitIfFull();
    }

    /** The builder refused {@code record}: say so with the whole output schema and the field that is wrong. */
    private IllegalArgumentException misfit(Record record, IllegalArgumentException refusal) {
        String why = schema.misfit(record);
        return new IllegalArgumentException(SchemaCheck.misfitMessage(record, schema, operator + " emitted",
                "output schema", why != null ? why : refusal.getMessage()), refusal);
    }

    private void emitIfFull() {
        if (builder.rowCount() >= batchSize) {
            flush();
        }
    }

    /** Emits the rows collected so far, if any. */
    void flush() {
        if (builder.rowCount() == 0) {
            return;
        }
        try (RecordBatch batch = builder.build()) {
            out.emit(batch);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        builder.close();
    }
}
