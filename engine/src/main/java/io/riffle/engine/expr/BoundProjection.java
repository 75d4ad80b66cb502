package io.riffle.engine.expr;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Expressions bound to an input schema, evaluated a batch at a time into the columns of an output batch:
 * the engine's vectorized projection. Binding type-checks and fixes the output schema (plan time);
 * {@link #open} allocates the work vectors, which every batch reuses. Single-threaded: one per operator
 * instance.
 *
 * <pre>{@code
 * BoundProjection projection = BoundProjection.bind(schema, List.of(Expr.col("word"), Expr.col("count").times(2)));
 * projection.open(allocator, 1024);
 * try (RecordBatch out = RecordBatch.allocate(projection.outputSchema(), allocator, 1024)) {
 *     projection.evaluate(batch, out);       // out: (word: utf8, count * 2: int64)
 * }
 * projection.close();
 * }</pre>
 */
public final class BoundProjection implements AutoCloseable {
    private final BatchSchema inputSchema;
    private final BatchSchema outputSchema;
    private final ValueNode[] columns;
    private final BatchSchema workSchema;
    /** The input field of each column when every column is a bare field under its own name; else null. */
    private final int[] passedFields;
    private Frame frame;

    private BoundProjection(BatchSchema inputSchema, BatchSchema outputSchema, ValueNode[] columns,
                            BatchSchema workSchema) {
        this.inputSchema = inputSchema;
        this.outputSchema = outputSchema;
        this.columns = columns;
        this.workSchema = workSchema;
        this.passedFields = passedFields(inputSchema, outputSchema, columns);
    }

    /** Binds {@code exprs} to batches of {@code input}; a field or type error names the expression. */
    public static BoundProjection bind(BatchSchema input, List<Expr> exprs) {
        if (exprs.isEmpty()) {
            throw new IllegalArgumentException("a projection needs at least one expression");
        }
        Binder binder = new Binder(input);
        ValueNode[] nodes = new ValueNode[exprs.size()];
        List<Column> columns = new ArrayList<>(nodes.length);
        for (int i = 0; i < nodes.length; i++) {
            Expr e = exprs.get(i);
            nodes[i] = binder.value(e);
            columns.add(new Column(e.columnName(input), nodes[i].type, nodes[i].nullable));
        }
        BatchSchema output;
        try {
            output = BatchSchema.of(columns);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("projection " + exprs + ": " + e.getMessage()
                    + "; name the columns apart with as(name)", e);
        }
        return new BoundProjection(input, output, nodes, binder.workSchema());
    }

    /**
     * Whether every expression is a bare field under its own name, so that the input's vectors can stand
     * for the output's unchanged ({@link #pass}).
     */
    public boolean passesFields() {
        return passedFields != null;
    }

    /**
     * Points {@code view}, a {@link RecordBatch#view} of {@link #outputSchema}, at {@code batch}'s fields:
     * the projection without a copy, for a projection that {@link #passesFields}.
     */
    public void pass(RecordBatch batch, RecordBatch view) {
        if (passedFields == null) {
            throw new IllegalStateException("the projection computes columns; evaluate it");
        }
        Frame.checkInput(inputSchema, batch);
        view.show(batch, passedFields);
    }

    private static int[] passedFields(BatchSchema input, BatchSchema output, ValueNode[] columns) {
        int[] fields = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            if (!(columns[i] instanceof ValueNode.InputColumn field)
                    || !input.column(field.index).name().equals(output.column(i).name())) {
                return null;
            }
            fields[i] = field.index;
        }
        return fields;
    }

    public BatchSchema inputSchema() {
        return inputSchema;
    }

    /** The columns the expressions produce, in order. */
    public BatchSchema outputSchema() {
        return outputSchema;
    }

    /** Allocates the work vectors for batches of about {@code batchSize} rows (they grow if need be). */
    public void open(BufferAllocator allocator, int batchSize) {
        if (frame != null) {
            throw new IllegalStateException("the projection is open already");
        }
        frame = new Frame(inputSchema, workSchema, allocator, batchSize);
    }

    /**
     * Overwrites {@code out}, a batch of {@link #outputSchema}, with the expressions' values on every row
     * of {@code batch}. Integer division by zero is an {@link ArithmeticException} naming the expression.
     */
    public void evaluate(RecordBatch batch, RecordBatch out) {
        if (out.schema() != outputSchema && !out.schema().equals(outputSchema)) {
            throw new IllegalArgumentException("the projection writes batches of " + outputSchema
                    + ", not " + out.schema());
        }
        checkOpen();
        int n = frame.begin(batch);
        try {
            for (int i = 0; i < columns.length; i++) {
                columns[i].compute(frame, out.vector(i));
            }
            out.setRowCount(n);
            out.select(null);
        } finally {
            frame.end();
        }
    }

    private void checkOpen() {
        if (frame == null) {
            throw new IllegalStateException("the projection is not open: call open(allocator, batchSize) first");
        }
    }

    /** Frees the work vectors. */
    @Override
    public void close() {
        if (frame != null) {
            frame.close();
            frame = null;
        }
    }
}
