package io.riffle.engine.internal.operator;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.expr.BoundProjection;
import io.riffle.engine.expr.Expr;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;

/**
 * Projects each batch through a list of expressions into one output batch it owns and reuses: bare
 * fields are copied, computed columns written by the kernels. A projection of bare fields alone (under
 * their own names) copies nothing: it passes on a view of the input's vectors. The expressions are
 * type-checked and the {@link #outputSchema} fixed when the operator is made, at plan time.
 */
public final class ProjectOperator extends Operator {
    private final BoundProjection projection;
    private RecordBatch output;

    public ProjectOperator(BatchSchema input, List<Expr> exprs) {
        this.projection = BoundProjection.bind(input, exprs);
    }

    /** The schema of the batches this operator emits. */
    public BatchSchema outputSchema() {
        return projection.outputSchema();
    }

    @Override
    public void open(SubtaskContext context) {
        if (projection.passesFields()) {
            output = RecordBatch.view(outputSchema());
            return;
        }
        projection.open(context.allocator(), context.batchSize());
        output = RecordBatch.allocate(outputSchema(), context.allocator(), context.batchSize());
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        if (batch.rowCount() == 0) {
            return;
        }
        if (projection.passesFields()) {
            projection.pass(batch, output);
        } else {
            projection.evaluate(batch, output);
        }
        out.emit(output);
    }

    @Override
    public void close() {
        if (output != null) {
            output.close();
            output = null;
        }
        projection.close();
    }
}
