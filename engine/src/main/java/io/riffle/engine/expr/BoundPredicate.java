package io.riffle.engine.expr;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.memory.BufferAllocator;

/**
 * A predicate bound to an input schema, evaluated a batch at a time into the selection of rows where it
 * is true: the engine's vectorized filter. Comparisons run as {@code CompareKernel} calls; AND chains them
 * through the selection, OR unites selections, NOT selects where its operand is false (never where it is
 * null). Binding type-checks (plan time); {@link #open} allocates the work vectors of computed operands,
 * which every batch reuses. Single-threaded: one per operator instance.
 *
 * <pre>{@code
 * BoundPredicate cheap = BoundPredicate.bind(schema, Expr.col("price").lt(10.0).and(Expr.col("qty").gt(0)));
 * cheap.open(allocator, 1024);
 * SelectionVector rows = new SelectionVector(1024);
 * int selected = cheap.select(batch, rows);
 * cheap.close();
 * }</pre>
 */
public final class BoundPredicate implements AutoCloseable {
    private final BatchSchema inputSchema;
    private final PredicateNode root;
    private final BatchSchema workSchema;
    private Frame frame;

    private BoundPredicate(BatchSchema inputSchema, PredicateNode root, BatchSchema workSchema) {
        this.inputSchema = inputSchema;
        this.root = root;
        this.workSchema = workSchema;
    }

    /** Binds {@code predicate} to batches of {@code input}; a field or type error names the expression. */
    public static BoundPredicate bind(BatchSchema input, Expr predicate) {
        return bind(input, predicate, "a filter needs a bool predicate");
    }

    /**
     * Binds {@code predicate} as {@link #bind(BatchSchema, Expr)}; a predicate that is not bool fails with
     * {@code needs}, which says what the predicate is for.
     */
    public static BoundPredicate bind(BatchSchema input, Expr predicate, String needs) {
        Binder binder = new Binder(input);
        PredicateNode root = binder.predicate(predicate, needs);
        return new BoundPredicate(input, root, binder.workSchema());
    }

    public BatchSchema inputSchema() {
        return inputSchema;
    }

    /** Allocates the work vectors for batches of about {@code batchSize} rows (they grow if need be). */
    public void open(BufferAllocator allocator, int batchSize) {
        if (frame != null) {
            throw new IllegalStateException("the predicate is open already");
        }
        frame = new Frame(inputSchema, workSchema, allocator, batchSize);
    }

    /** Writes the rows of {@code batch} where the predicate is true into {@code out}, ascending; returns how many. */
    public int select(RecordBatch batch, SelectionVector out) {
        checkOpen();
        frame.begin(batch);
        try {
            return root.select(frame, null, out);
        } finally {
            frame.end();
        }
    }

    private void checkOpen() {
        if (frame == null) {
            throw new IllegalStateException("the predicate is not open: call open(allocator, batchSize) first");
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
