package io.riffle.engine.expr;

import io.riffle.engine.internal.runtime.SubtaskContext;
import static io.riffle.engine.expr.Expr.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.internal.operator.ExprFilterOperator;
import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;

/** The vectorized filter: rows where the predicate is true, never where it is false or null. */
class ExprFilterTest extends AllocatorTest {
    static final BatchSchema SCHEMA = BatchSchema.of(
            Column.nullable("a", ColumnType.INT64),
            Column.nullable("x", ColumnType.FLOAT64),
            Column.nullable("word", ColumnType.UTF8),
            Column.nullable("flag", ColumnType.BOOL));

    private static final Object[][] ROWS = {
            {1L, 0.5, "apple", true},
            {null, 2.0, "banana", false},
            {5L, null, null, null},
            {3L, Double.NaN, "cherry", true},
            {-2L, -0.0, "", false}};

    @Test
    void comparisonsNeverSelectNullRows() throws Exception {
        assertEquals(List.of(Arrays.asList(5L, null, null, null), Arrays.asList(3L, Double.NaN, "cherry", true)),
                filter(col("a").gt(2)));
        assertEquals(List.of(Arrays.asList(1L, 0.5, "apple", true), Arrays.asList(-2L, -0.0, "", false)),
                filter(col("a").le(2)));
    }

    @Test
    void notSelectsWhereItsOperandIsFalseButNotWhereNull() throws Exception {
        assertEquals(List.of(Arrays.asList(1L, 0.5, "apple", true), Arrays.asList(-2L, -0.0, "", false)),
                filter(col("a").gt(2).not()));
        assertEquals(List.of(Arrays.asList(null, 2.0, "banana", false), Arrays.asList(-2L, -0.0, "", false)),
                filter(col("flag").not()));
    }

    @Test
    void andOrAndNullTestsFollowThreeValuedLogic() throws Exception {
        // null OR true is true: row 2 (a null, word banana) is kept; null AND x is never true.
        assertEquals(List.of(Arrays.asList(null, 2.0, "banana", false), Arrays.asList(3L, Double.NaN, "cherry", true)),
                filter(col("a").ge(3).and(col("flag")).or(col("word").eq("banana"))));
        assertEquals(List.of(Arrays.asList(5L, null, null, null)),
                filter(col("x").isNull().and(col("word").isNull())));
        assertEquals(4, filter(col("word").isNotNull()).size());
    }

    @Test
    void nanIsOnlyUnequalAndMinusZeroEqualsZero() throws Exception {
        assertEquals(List.of(Arrays.asList(1L, 0.5, "apple", true), Arrays.asList(null, 2.0, "banana", false),
                Arrays.asList(3L, Double.NaN, "cherry", true)), filter(col("x").ne(0.0)));
        assertEquals(List.of(Arrays.asList(-2L, -0.0, "", false)), filter(col("x").eq(0)));
    }

    @Test
    void allRowsSelectedPassesTheInputOnAndNoneEmitsNothing() throws Exception {
        CollectingOutput out = new CollectingOutput();
        try (ExprFilterOperator filter = new ExprFilterOperator(SCHEMA, col("word").isNotNull().or(col("word").isNull()));
             ExprFilterOperator none = new ExprFilterOperator(SCHEMA, col("a").gt(100));
             RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, ROWS)) {
            filter.open(SubtaskContext.builder("test", allocator).batchSize(8).build());
            none.open(SubtaskContext.builder("test", allocator).batchSize(8).build());
            filter.process(batch, out);
            none.process(batch, out);
            assertEquals(1, out.batches.size());
            assertSame(batch, out.batches.get(0));
        }
    }

    @Test
    void randomPredicatesMatchTheReference() throws Exception {
        for (int seed = 0; seed < 400; seed++) {
            Random random = new Random(seed);
            RandomExprs gen = new RandomExprs(random);
            Expr predicate = gen.predicate(3);
            String context = "seed " + seed + ", " + predicate;
            List<Object[]> inputs = new ArrayList<>();
            List<List<Object>> expected = new ArrayList<>();
            CollectingOutput out = new CollectingOutput();
            try (ExprFilterOperator filter = new ExprFilterOperator(RandomExprs.SCHEMA, predicate)) {
                filter.open(SubtaskContext.builder("test", allocator).batchSize(1 + random.nextInt(64)).build());
                for (int b = 0; b < 3; b++) {
                    Object[][] rows = gen.rows(random.nextInt(b == 0 ? 40 : 700));
                    for (Object[] row : rows) {
                        if (Boolean.TRUE.equals(Reference.eval(predicate, RandomExprs.SCHEMA, row))) {
                            inputs.add(row);
                            expected.add(Arrays.asList(row));
                        }
                    }
                    try (RecordBatch batch = RecordBatchBuilder.fromRows(RandomExprs.SCHEMA, allocator, rows)) {
                        filter.process(batch, out);
                    }
                }
            } catch (RuntimeException e) {
                throw new AssertionError(context, e);
            }
            Rows.assertSameRows(context, inputs, expected, out.rows);
        }
    }

    private List<List<Object>> filter(Expr predicate) throws Exception {
        CollectingOutput out = new CollectingOutput();
        try (ExprFilterOperator filter = new ExprFilterOperator(SCHEMA, predicate);
             RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, ROWS)) {
            filter.open(SubtaskContext.builder("test", allocator).batchSize(2).build());
            filter.process(batch, out);
        }
        return out.rows;
    }
}
