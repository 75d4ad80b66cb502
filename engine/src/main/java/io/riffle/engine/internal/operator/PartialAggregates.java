package io.riffle.engine.internal.operator;

import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.AggregateKind;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.kernel.GatherKernel;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.jspecify.annotations.Nullable;

/**
 * Aggregates computed in parts and combined: the rule of which aggregates combine from partial results and
 * how (a sum or a count of sums or counts, a min of mins, a max of maxes; an average from a sum and a count
 * kept apart), shared by a batch aggregation (partial aggregation before the shuffle, final after it) and by
 * the window operators (one partial result per pane, merged into a window's).
 *
 * <pre>{@code
 * PartialAggregates parts = PartialAggregates.of(schema, 0, Aggregate.avg(1));
 * parts.partialSpec();   // key, sum0, count0: computed from the input
 * parts.mergeSpec();     // key, sum(sum0), sum(count0): combines partial results
 * parts.finish(...);     // avg = sum / count into the user's column
 * }</pre>
 */
public final class PartialAggregates {
    private final GroupBySpec partialSpec;
    private final GroupBySpec mergeSpec;
    /** Per user aggregate, its first column in a partial result (after the key); AVG takes two: sum, count. */
    private final int[] partialColumn;
    private final boolean[] average;

    private PartialAggregates(GroupBySpec partialSpec, GroupBySpec mergeSpec, int[] partialColumn, boolean[] average) {
        this.partialSpec = partialSpec;
        this.mergeSpec = mergeSpec;
        this.partialColumn = partialColumn;
        this.average = average;
    }

    /**
     * The aggregate that combines partial results of {@code kind} held in column {@code column}: a sum of sums
     * or counts, a min of mins, a max of maxes; null for an average, which combines only from a sum and a count
     * kept apart ({@link #of}).
     */
    public static @Nullable Aggregate merging(AggregateKind kind, int column) {
        return switch (kind) {
            case SUM, COUNT -> Aggregate.sum(column);
            case MIN -> Aggregate.min(column);
            case MAX -> Aggregate.max(column);
            case AVG -> null;
        };
    }

    /**
     * The user's {@code aggregates} of {@code input} by {@code keyField}, split into partial ones (an average into
     * a sum and a count) and their merge.
     */
    public static PartialAggregates of(BatchSchema input, int keyField, Aggregate... aggregates) {
        GroupBySpec user = GroupBySpec.of(input, keyField, aggregates);
        List<Aggregate> partial = new ArrayList<>();
        int[] partialColumn = new int[user.aggregateCount()];
        boolean[] average = new boolean[user.aggregateCount()];
        for (int a = 0; a < user.aggregateCount(); a++) {
            partialColumn[a] = partial.size() + 1;
            average[a] = user.kindOf(a) == AggregateKind.AVG;
            if (average[a]) {
                partial.add(Aggregate.sum(user.fieldOf(a)).as("sum" + a));
                partial.add(Aggregate.count(user.fieldOf(a)).as("count" + a));
            } else {
                partial.add(aggregates[a].as("p" + a));
            }
        }
        GroupBySpec partialSpec = GroupBySpec.of(input, keyField, partial.toArray(new Aggregate[0]));
        Aggregate[] merge = new Aggregate[partial.size()];
        for (int c = 0; c < merge.length; c++) {
            merge[c] = merging(partialSpec.kindOf(c), c + 1);
        }
        return new PartialAggregates(partialSpec, GroupBySpec.of(partialSpec.outputSchema(), 0, merge), partialColumn,
                average);
    }

    /** Computes the partial results from input rows: {@code (key, partials...)}. */
    public GroupBySpec partialSpec() {
        return partialSpec;
    }

    /** Combines partial results ({@link #partialSpec}'s output) into partial results. */
    public GroupBySpec mergeSpec() {
        return mergeSpec;
    }

    /**
     * Writes the user's aggregates of the selected {@code rows} ({@code n} of them) of partial results
     * {@code partial} into {@code result}'s columns from {@code firstColumn}: copied, or an average divided out.
     */
    void finish(RecordBatch partial, SelectionVector rows, int n, RecordBatch result, int firstColumn) {
        for (int a = 0; a < average.length; a++) {
            if (average[a]) {
                average(partial, partialColumn[a], rows, (Float8Vector) result.vector(firstColumn + a), n);
            } else {
                GatherKernel.gatherColumn(partial, partialColumn[a], rows, result, firstColumn + a);
            }
        }
    }

    /** avg = sum / count from a partial result's two columns, for the selected rows; null where nothing was counted. */
    private static void average(RecordBatch partial, int sumColumn, SelectionVector rows, Float8Vector out, int n) {
        FieldVector sums = partial.vector(sumColumn);
        BigIntVector counts = (BigIntVector) partial.vector(sumColumn + 1);
        boolean doubles = sums instanceof Float8Vector;
        for (int i = 0; i < n; i++) {
            int r = rows.get(i);
            long count = counts.get(r);
            if (count == 0 || sums.isNull(r)) {
                out.setNull(i);
            } else {
                double sum = doubles ? ((Float8Vector) sums).get(r) : ((BigIntVector) sums).get(r);
                out.set(i, sum / count);
            }
        }
    }
}
