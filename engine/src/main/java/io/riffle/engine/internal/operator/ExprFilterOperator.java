package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.expr.BoundPredicate;
import io.riffle.engine.expr.Expr;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;

/**
 * Keeps the rows where a predicate is true: evaluates it to a selection with the compare kernels, then
 * emits the selected rows gathered into an output batch it owns and reuses. A batch with every row
 * selected is passed on as it is; one with none emits nothing. The predicate is type-checked when the
 * operator is made, at plan time; the output schema is the input's.
 */
public final class ExprFilterOperator extends Operator {
    private final BatchSchema schema;
    private final BoundPredicate predicate;
    private SelectionVector selection;
    private RecordBatch output;

    public ExprFilterOperator(BatchSchema input, Expr predicate) {
        this.schema = input;
        this.predicate = BoundPredicate.bind(input, predicate);
    }

    @Override
    public void open(SubtaskContext context) {
        predicate.open(context.allocator(), context.batchSize());
        selection = new SelectionVector(context.batchSize());
        output = RecordBatch.allocate(schema, context.allocator(), context.batchSize());
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int selected = predicate.select(batch, selection);
        if (selected == 0) {
            return;
        }
        if (selected == batch.rowCount()) {
            out.emit(batch);
            return;
        }
        GatherKernel.gather(batch, selection, output);
        out.emit(output);
    }

    @Override
    public void close() {
        if (output != null) {
            output.close();
            output = null;
        }
        predicate.close();
    }
}
