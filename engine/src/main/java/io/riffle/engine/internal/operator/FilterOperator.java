package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.GatherKernel;
import io.riffle.engine.FilterFunction;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.internal.runtime.Operator;
import io.riffle.engine.internal.runtime.Output;

/**
 * Keeps the rows a row-level {@link FilterFunction} accepts: selects them, then gathers them into a batch
 * it reuses (the input itself when every row passes).
 */
public final class FilterOperator extends Operator {
    private final FilterFunction predicate;
    private final RowView view = new RowView();
    private final SelectionVector selection = new SelectionVector(1024);
    private RecordBatch output;
    private TaskContext context;

    public FilterOperator(FilterFunction predicate) {
        this.predicate = predicate;
    }

    @Override
    public void open(SubtaskContext context) {
        this.context = context;
    }

    @Override
    public void process(RecordBatch batch, Output out) throws Exception {
        int n = batch.rowCount();
        selection.ensureCapacity(n);
        int[] rows = selection.rows();
        int k = 0;
        for (int row = 0; row < n; row++) {
            view.point(batch, row);
            if (predicate.filter(view)) {
                rows[k++] = row;
            }
        }
        selection.setSize(k);
        if (k == n) {
            out.emit(batch);
        } else if (k > 0) {
            if (output == null) {
                output = RecordBatch.allocate(batch.schema(), context.allocator(), context.batchSize());
            }
            GatherKernel.gather(batch, selection, output);
            out.emit(output);
        }
    }

    @Override
    public void close() {
        if (output != null) {
            output.close();
        }
    }
}
