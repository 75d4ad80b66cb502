package io.riffle.engine.expr;

import io.riffle.engine.internal.runtime.SubtaskContext;
import static io.riffle.engine.expr.Expr.col;
import static io.riffle.engine.expr.Expr.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.internal.operator.ProjectOperator;
import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;

/** ProjectOperator against a plain Java evaluation of the same expressions on the same rows. */
class ExprProjectTest extends AllocatorTest {
    static final BatchSchema SCHEMA = BatchSchema.of(
            Column.nullable("a", ColumnType.INT64),
            Column.nullable("b", ColumnType.INT64),
            Column.nullable("x", ColumnType.FLOAT64),
            Column.nullable("word", ColumnType.UTF8),
            Column.of("n", ColumnType.INT32));

    @Test
    void projectsFieldsArithmeticLiteralsAndPredicates() throws Exception {
        List<Expr> exprs = List.of(col("word"), col("a").plus(col("b")).as("sum"), col("a").times(2).minus(col("b")),
                lit(10).minus(col("n")), col("x").div(col("n")), lit("k"), col("a").gt(col("b")),
                col("a").isNull().or(col("x").lt(1.0)));
        List<List<Object>> out = project(SCHEMA, exprs, 4,
                new Object[] {1L, 2L, 0.5, "apple", 1},
                new Object[] {null, 2L, null, null, 2},
                new Object[] {7L, 3L, 2.0, "", -4});
        assertEquals(List.of(
                Arrays.asList("apple", 3L, 0L, 9L, 0.5, "k", false, true),
                Arrays.asList(null, null, null, 8L, null, "k", null, true),
                Arrays.asList("", 10L, 11L, 14L, -0.5, "k", true, false)), out);
    }

    /** Timestamps plus or minus integer milliseconds, and the milliseconds between two timestamps; nulls stay null. */
    @Test
    void timestampArithmeticCountsMilliseconds() throws Exception {
        BatchSchema schema = BatchSchema.of(Column.nullable("t", ColumnType.TIMESTAMP_MS),
                Column.of("u", ColumnType.TIMESTAMP_MS), Column.of("n", ColumnType.INT32));
        Instant noon = Instant.parse("2024-05-01T12:00:00Z");
        List<Expr> exprs = List.of(col("t").minus(1), lit(1_000).plus(col("t")), col("t").minus(col("u")),
                col("u").plus(col("n")), col("u").minus(lit(noon)), col("t").lt(col("u")),
                col("u").ge(lit(noon)));
        List<List<Object>> out = project(schema, exprs, 4,
                new Object[] {Instant.ofEpochMilli(10_000), Instant.ofEpochMilli(4_000), 7},
                new Object[] {null, noon, -2},
                new Object[] {Instant.ofEpochMilli(-5), noon.plusMillis(3), 0});
        assertEquals(List.of(
                Arrays.asList(Instant.ofEpochMilli(9_999), Instant.ofEpochMilli(11_000), 6_000L,
                        Instant.ofEpochMilli(4_007), 4_000 - noon.toEpochMilli(), false, false),
                Arrays.asList(null, null, null, noon.minusMillis(2), 0L, null, true),
                Arrays.asList(Instant.ofEpochMilli(-6), Instant.ofEpochMilli(995), -5 - noon.toEpochMilli() - 3,
                        noon.plusMillis(3), 3L, true, true)), out);
    }

    /** Bare fields under their own names pass the input's vectors on; a renamed or computed column is written. */
    @Test
    void bareFieldsPassTheInputVectorsOnUncopied() throws Exception {
        Object[][] rows = {{1L, 2L, 0.5, "apple", 1}, {null, 2L, null, null, 2}, {7L, 3L, 2.0, "", -4}};
        try (RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator, rows)) {
            CollectingOutput out = new CollectingOutput();
            try (ProjectOperator project = new ProjectOperator(SCHEMA, List.of(col("word"), col("a")))) {
                project.open(SubtaskContext.builder("test", allocator).batchSize(2).build());
                project.process(batch, out);
                assertEquals(BatchSchema.of(Column.nullable("word", ColumnType.UTF8),
                        Column.nullable("a", ColumnType.INT64)), out.schema);
                assertSame(batch.vector(3), out.batches.get(0).vector(0));
                assertSame(batch.vector(0), out.batches.get(0).vector(1));
                out.batches.get(0).close();
            }
            assertEquals(List.of(Arrays.asList("apple", 1L), Arrays.asList(null, null), Arrays.asList("", 7L)), out.rows);
            assertEquals("apple", batch.value(0, 3), "closing the view frees nothing of the input");

            CollectingOutput renamed = new CollectingOutput();
            try (ProjectOperator project = new ProjectOperator(SCHEMA, List.of(col("word"), col("a").as("z")))) {
                project.open(SubtaskContext.builder("test", allocator).batchSize(2).build());
                project.process(batch, renamed);
                assertNotSame(batch.vector(3), renamed.batches.get(0).vector(0));
                assertEquals(List.of(Arrays.asList("apple", 1L), Arrays.asList(null, null), Arrays.asList("", 7L)),
                        renamed.rows);
            }
        }
    }

    @Test
    void threeValuedLogicInProjectedPredicates() throws Exception {
        // a > 1 is null where a is; NOT keeps null; AND is false if either side is; OR true if either side is.
        List<Expr> exprs = List.of(col("a").gt(1).not(), col("a").gt(1).and(col("b").gt(1)),
                col("a").gt(1).or(col("b").gt(1)), col("a").gt(1).isNull());
        List<List<Object>> out = project(SCHEMA, exprs, 8,
                new Object[] {null, 0L, 0.0, "", 0},
                new Object[] {null, 5L, 0.0, "", 0},
                new Object[] {2L, null, 0.0, "", 0},
                new Object[] {0L, null, 0.0, "", 0});
        assertEquals(List.of(
                Arrays.asList(null, false, null, true),
                Arrays.asList(null, null, true, true),
                Arrays.asList(false, null, true, false),
                Arrays.asList(true, false, null, false)), out);
    }

    @Test
    void sharedOperandsAreComputedOnceAndStaged() throws Exception {
        // a is read by three operators, two of them against computed values: it is copied into the work batch once.
        Expr e = col("a").plus(col("a").times(col("b"))).minus(col("a").mod(3));
        List<List<Object>> out = project(SCHEMA, List.of(e, e.as("again")), 2,
                new Object[] {4L, 5L, 0.0, "", 0}, new Object[] {-7L, 2L, 0.0, "", 0});
        assertEquals(List.of(Arrays.asList(23L, 23L), Arrays.asList(-20L, -20L)), out);
    }

    @Test
    void integerDivisionByZeroNamesTheExpressionAndRow() {
        try (ProjectOperator project = new ProjectOperator(SCHEMA, List.of(col("a").div(col("b")),
                col("a").div(col("b").minus(1))));
             RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator,
                     new Object[] {1L, 2L, 0.0, "", 0}, new Object[] {null, 0L, 0.0, "", 0},
                     new Object[] {3L, 1L, 0.0, "", 0})) {
            project.open(SubtaskContext.builder("test", allocator).batchSize(16).build());
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> project.process(batch, new CollectingOutput()));
            assertEquals("a / (b - 1): field 1 ('b - 1', int64): division by zero at row 2", e.getMessage());
        }
        try (ProjectOperator project = new ProjectOperator(SCHEMA, List.of(col("a").mod(col("b"))));
             RecordBatch batch = RecordBatchBuilder.fromRows(SCHEMA, allocator,
                     new Object[] {1L, 2L, 0.0, "", 0}, new Object[] {5L, 0L, 0.0, "", 0})) {
            project.open(SubtaskContext.builder("test", allocator).batchSize(16).build());
            ArithmeticException e = assertThrows(ArithmeticException.class,
                    () -> project.process(batch, new CollectingOutput()));
            assertEquals("a % b: field 1 ('b', int64): division by zero at row 1", e.getMessage());
        }
    }

    @Test
    void emitsOneReusedBatchOfTheOutputSchemaAndNothingForAnEmptyBatch() throws Exception {
        try (ProjectOperator project = new ProjectOperator(SCHEMA, List.of(col("n"), col("a").plus(1)));
             RecordBatch first = RecordBatchBuilder.fromRows(SCHEMA, allocator, new Object[] {1L, 2L, 0.0, "", 3});
             RecordBatch empty = RecordBatchBuilder.fromRows(SCHEMA, allocator);
             RecordBatch second = RecordBatchBuilder.fromRows(SCHEMA, allocator, new Object[] {5L, 2L, 0.0, "", 4})) {
            project.open(SubtaskContext.builder("test", allocator).batchSize(16).build());
            CollectingOutput out = new CollectingOutput();
            project.process(first, out);
            project.process(empty, out);
            project.process(second, out);
            assertEquals(2, out.batches.size());
            assertSame(out.batches.get(0), out.batches.get(1));
            assertEquals(project.outputSchema(), out.schema);
            assertEquals(List.of(List.of(3, 2L), List.of(4, 6L)), out.rows);
        }
    }

    @Test
    void aBatchOfAnotherSchemaIsRejected() {
        BatchSchema other = BatchSchema.of(Column.of("a", ColumnType.INT64));
        try (ProjectOperator project = new ProjectOperator(SCHEMA, List.of(col("a")));
             RecordBatch batch = RecordBatchBuilder.fromRows(other, allocator, new Object[] {1L})) {
            project.open(SubtaskContext.builder("test", allocator).batchSize(16).build());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> project.process(batch, new CollectingOutput()));
            assertEquals("the expressions were bound to batches of (a: int64, b: int64, x: float64, word: utf8, n: int32)"
                    + " but were given a batch of (a: int64)", e.getMessage());
        }
    }

    @Test
    void randomProjectionsMatchTheReference() throws Exception {
        for (int seed = 0; seed < 400; seed++) {
            Random random = new Random(seed);
            RandomExprs gen = new RandomExprs(random);
            List<Expr> exprs = gen.projection();
            String context = "seed " + seed + ", " + exprs;
            List<Object[]> inputs = new ArrayList<>();
            List<List<Object>> expected = new ArrayList<>();
            CollectingOutput out = new CollectingOutput();
            // A small batch size in the context: batches larger than it make every vector grow.
            try (ProjectOperator project = new ProjectOperator(RandomExprs.SCHEMA, exprs)) {
                project.open(SubtaskContext.builder("test", allocator).batchSize(1 + random.nextInt(64)).build());
                for (int b = 0; b < 3; b++) {
                    Object[][] rows = gen.rows(random.nextInt(b == 0 ? 40 : 700));
                    for (Object[] row : rows) {
                        List<Object> values = new ArrayList<>(exprs.size());
                        for (Expr e : exprs) {
                            values.add(Reference.eval(e, RandomExprs.SCHEMA, row));
                        }
                        inputs.add(row);
                        expected.add(values);
                    }
                    try (RecordBatch batch = RecordBatchBuilder.fromRows(RandomExprs.SCHEMA, allocator, rows)) {
                        project.process(batch, out);
                    }
                }
            } catch (RuntimeException e) {
                throw new AssertionError(context, e);
            }
            Rows.assertSameRows(context, inputs, expected, out.rows);
        }
    }

    private List<List<Object>> project(BatchSchema schema, List<Expr> exprs, int batchSize, Object[]... rows)
            throws Exception {
        CollectingOutput out = new CollectingOutput();
        try (ProjectOperator project = new ProjectOperator(schema, exprs);
             RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, rows)) {
            project.open(SubtaskContext.builder("test", allocator).batchSize(batchSize).build());
            project.process(batch, out);
        }
        return out.rows;
    }
}
