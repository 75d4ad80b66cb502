package io.riffle.engine.internal.operator;

import static io.riffle.engine.internal.operator.harness.OperatorHarness.row;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.engine.internal.operator.harness.OneInputOperatorHarness;
import io.riffle.engine.internal.operator.harness.Rescaling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Keyed running aggregates driven alone, in both output shapes, and restored at another parallelism. */
class RunningAggregateOperatorTest {
    /** (user, amount, note). */
    private static final BatchSchema PAYMENTS = BatchSchema.of(Column.of("user", ColumnType.UTF8),
            Column.of("amount", ColumnType.INT64), Column.of("note", ColumnType.UTF8));

    @TempDir
    Path dir;

    /** Flink's {@code keyBy(user).sum(amount)}: the key's first record, its amount the running sum. */
    private static OneInputOperatorHarness.Builder summing() {
        return OneInputOperatorHarness.builder(() -> RunningAggregateOperator.replacing(
                GroupBySpec.of(PAYMENTS, 0, Aggregate.sum(1)), 1, 1L << 26), PAYMENTS).name("sum").batchSize(4);
    }

    /** (user, sum(amount), count(), max(amount)) after every record. */
    private static OneInputOperatorHarness.Builder aggregating() {
        return OneInputOperatorHarness.builder(() -> RunningAggregateOperator.keyAndAggregates(
                GroupBySpec.of(PAYMENTS, 0, Aggregate.sum(1), Aggregate.count(), Aggregate.max(1)), 1L << 26), PAYMENTS)
                .name("aggregate").batchSize(4);
    }

    @Test
    void aReplacedFieldRunsWhileTheOtherFieldsStayTheFirstRecords() throws Exception {
        try (OneInputOperatorHarness h = summing().open()) {
            h.process(row("ann", 5L, "first"), row("bob", 1L, "b"), row("ann", 7L, "second"), row("ann", -2L, "third"),
                    row("bob", 4L, "b2"));
            h.processWatermark(3);
            assertEquals(List.of("(ann,5,first)", "(bob,1,b)", "(ann,12,first)", "(ann,10,first)", "(bob,5,b)",
                    "watermark 3"), h.output().events());
        }
    }

    @Test
    void theKeyAndEveryAggregateRunAfterEveryRecord() throws Exception {
        try (OneInputOperatorHarness h = aggregating().open()) {
            h.process(row("ann", 5L, "x"), row("ann", 7L, "x"), row("bob", 1L, "x"), row("ann", -2L, "x"));
            assertEquals(List.of("(ann,5,1,5)", "(ann,12,2,7)", "(bob,1,1,1)", "(ann,10,3,7)"), h.output().rowStrings());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void aCheckpointRestoredAtAnotherParallelismEmitsWhatAnUninterruptedRunDoes(int parallelism) throws Exception {
        Rescaling.Feed<OneInputOperatorHarness> before = h -> h.process(payments(0, 60));
        Rescaling.Feed<OneInputOperatorHarness> after = h -> h.process(payments(60, 120));
        for (OneInputOperatorHarness.Builder operator : List.of(summing().keyedBy(0), aggregating().keyedBy(0))) {
            List<String> uninterrupted = Rescaling.uninterrupted(operator, before, after);
            assertEquals(120, uninterrupted.size());
            assertEquals(uninterrupted, Rescaling.rescaled(operator, dir, 2, parallelism, before, after));
        }
    }

    /** Payment i of [from, to): (u(i mod 11), i, n(i)). */
    private static Object[][] payments(int from, int to) {
        List<Object[]> rows = new ArrayList<>();
        for (long i = from; i < to; i++) {
            rows.add(row("u" + i % 11, i, "n" + i));
        }
        return rows.toArray(new Object[0][]);
    }
}
