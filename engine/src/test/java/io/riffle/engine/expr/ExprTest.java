package io.riffle.engine.expr;

import static io.riffle.engine.expr.Expr.col;
import static io.riffle.engine.expr.Expr.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.operator.ExprFilterOperator;
import io.riffle.engine.internal.operator.ProjectOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Plan-time behaviour: rendering, column names, result types, and errors that name the expression and field. */
class ExprTest {
    static final BatchSchema WORDS = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64));
    static final BatchSchema ORDERS = BatchSchema.of(
            Column.of("qty", ColumnType.INT32),
            Column.nullable("price", ColumnType.FLOAT64),
            Column.of("flag", ColumnType.BOOL),
            Column.of("at", ColumnType.TIMESTAMP_MS),
            Column.nullable("note", ColumnType.UTF8));

    @Test
    void rendersArithmeticParenthesizedAndComparisonsBare() {
        assertEquals("(price * 2)", col("price").times(2).toString());
        assertEquals("qty <= 5", col("qty").le(5).toString());
        assertEquals("((a + b) * c)", col("a").plus(col("b")).times(col("c")).toString());
        assertEquals("(a - (b / 2.5))", col("a").minus(col("b").div(2.5)).toString());
        assertEquals("(a > 1 AND (b < 2 OR c IS NULL))", col("a").gt(1).and(col("b").lt(2).or(col("c").isNull())).toString());
        assertEquals("NOT (a > 1)", col("a").gt(1).not().toString());
        assertEquals("NOT flag", col("flag").not().toString());
        assertEquals("(a > 1) IS NOT NULL", col("a").gt(1).isNotNull().toString());
        assertEquals("(a % 3) IS NULL", col("a").mod(3).isNull().toString());
        assertEquals("note = 'it''s'", col("note").eq("it's").toString());
        assertEquals("(#1 + 2.5)", col(1).plus(2.5).toString());
        assertEquals("(price * 2) AS total", col("price").times(2).as("total").toString());
        assertEquals("(a != -1 OR NOT (b >= a))", col("a").ne(-1).or(col("b").ge(col("a")).not()).toString());
    }

    @Test
    void resolvesResultTypes() {
        assertEquals(ColumnType.INT32, col("qty").resolve(ORDERS));
        assertEquals(ColumnType.INT64, col("qty").plus(col("qty")).resolve(ORDERS));
        assertEquals(ColumnType.INT64, col(0).times(2).resolve(ORDERS));
        assertEquals(ColumnType.FLOAT64, col("qty").div(2.0).resolve(ORDERS));
        assertEquals(ColumnType.FLOAT64, col("qty").mod(col("price")).resolve(ORDERS));
        assertEquals(ColumnType.BOOL, col("qty").le(5).and(col("flag")).resolve(ORDERS));
        assertEquals(ColumnType.BOOL, col("note").isNull().resolve(ORDERS));
        assertEquals(ColumnType.UTF8, lit("x").resolve(ORDERS));
        assertEquals(ColumnType.TIMESTAMP_MS, col("at").as("when").resolve(ORDERS));
    }

    @Test
    void projectionNamesBareFieldsByNameAndOthersByText() {
        ProjectOperator project = new ProjectOperator(WORDS, List.of(col("word"), col(1), col("count").times(2),
                col("count").times(2).as("twice"), col("count").le(5), lit("x"), col("count").div(col("count"))));
        assertEquals(BatchSchema.of(
                Column.of("word", ColumnType.UTF8),
                Column.of("count", ColumnType.INT64),
                Column.of("count * 2", ColumnType.INT64),
                Column.of("twice", ColumnType.INT64),
                Column.of("count <= 5", ColumnType.BOOL),
                Column.of("'x'", ColumnType.UTF8),
                Column.of("count / count", ColumnType.INT64)), project.outputSchema());
    }

    @Test
    void projectionColumnsAreNullableWhereAnOperandIs() {
        ProjectOperator project = new ProjectOperator(ORDERS, List.of(col("qty").plus(1), col("price").plus(1),
                col("qty").gt(col("price")), col("note").isNull(), col("flag").and(col("qty").gt(1)),
                col("flag").or(col("price").lt(1))));
        BatchSchema out = project.outputSchema();
        boolean[] nullable = new boolean[out.columnCount()];
        for (int i = 0; i < nullable.length; i++) {
            nullable[i] = out.column(i).nullable();
        }
        assertEquals("[false, true, true, false, false, true]", java.util.Arrays.toString(nullable));
    }

    @Test
    void unknownFieldsListTheSchema() {
        assertError("no field named 'cuont': the schema has (word: utf8, count: int64)",
                () -> col("cuont").resolve(WORDS));
        assertError("no field named 'cuont': the schema has (word: utf8, count: int64)",
                () -> new ProjectOperator(WORDS, List.of(col("word"), col("cuont").times(2))));
        assertError("field index 2 is out of range: the schema has 2 fields (word: utf8, count: int64)",
                () -> new ExprFilterOperator(WORDS, col(2).gt(0)));
    }

    @Test
    void arithmeticOnNonNumbersNamesTheExpressionAndField() {
        assertError("word + 1: arithmetic needs numeric fields, but field 0 ('word') is utf8",
                () -> col("word").plus(1).resolve(WORDS));
        assertError("count * word: arithmetic needs numeric fields, but field 0 ('word') is utf8",
                () -> new ProjectOperator(WORDS, List.of(col("count").times(col(0)))));
        assertError("(count > 1) + 1: arithmetic needs numeric fields, but count > 1 is bool",
                () -> col("count").gt(1).plus(1).resolve(WORDS));
        assertError("count - 'x': arithmetic needs numeric fields, but the literal 'x' is utf8",
                () -> col("count").minus(lit("x")).resolve(WORDS));
    }

    /**
     * A timestamp[ms] adds or subtracts integer milliseconds (a timestamp) and subtracts a timestamp (int64
     * milliseconds); everything else with a timestamp is refused naming the expression and its operands.
     */
    @Test
    void timestampArithmeticIsInMilliseconds() {
        assertEquals(ColumnType.TIMESTAMP_MS, col("at").minus(1).resolve(ORDERS));
        assertEquals(ColumnType.TIMESTAMP_MS, col("at").plus(1000).resolve(ORDERS));
        assertEquals(ColumnType.TIMESTAMP_MS, lit(5).plus(col("at")).resolve(ORDERS));
        assertEquals(ColumnType.TIMESTAMP_MS, col("at").plus(col("qty")).resolve(ORDERS));
        assertEquals(ColumnType.INT64, col("at").minus(col("at").minus(5)).resolve(ORDERS));
        assertEquals(ColumnType.INT64, col("at").minus(lit(Instant.ofEpochMilli(1_000))).resolve(ORDERS));
        assertError("at * 2: a timestamp[ms] only adds or subtracts an integer (milliseconds) or subtracts a"
                + " timestamp[ms], but this is field 3 ('at') (timestamp[ms]) * the literal 2 (int64)",
                () -> col("at").times(2).resolve(ORDERS));
        assertError("at + at: a timestamp[ms] only adds or subtracts an integer (milliseconds) or subtracts a"
                + " timestamp[ms], but this is field 3 ('at') (timestamp[ms]) + field 3 ('at') (timestamp[ms])",
                () -> col("at").plus(col("at")).resolve(ORDERS));
        assertError("at + 1.5: a timestamp[ms] only adds or subtracts an integer (milliseconds) or subtracts a"
                + " timestamp[ms], but this is field 3 ('at') (timestamp[ms]) + the literal 1.5 (float64)",
                () -> col("at").plus(1.5).resolve(ORDERS));
        assertError("1 - at: a timestamp[ms] only adds or subtracts an integer (milliseconds) or subtracts a"
                + " timestamp[ms], but this is the literal 1 (int64) - field 3 ('at') (timestamp[ms])",
                () -> lit(1).minus(col("at")).resolve(ORDERS));
        assertError("note + at: a timestamp[ms] only adds or subtracts an integer (milliseconds) or subtracts a"
                + " timestamp[ms], but this is field 4 ('note') (utf8) + field 3 ('at') (timestamp[ms])",
                () -> col("note").plus(col("at")).resolve(ORDERS));
    }

    @Test
    void timestampsCompareWithTimestamps() {
        assertEquals("at < TIMESTAMP '1970-01-01T00:00:01Z'", col("at").lt(lit(Instant.ofEpochMilli(1_000))).toString());
        assertEquals(ColumnType.BOOL, col("at").lt(lit(Instant.ofEpochMilli(1_000))).resolve(ORDERS));
        assertEquals(ColumnType.BOOL, col("at").ge(col("at").minus(5)).resolve(ORDERS));
        assertError("at = qty: cannot compare timestamp[ms] with int32 (field 3 ('at') with field 0 ('qty')); "
                + "a timestamp[ms] value compares with a timestamp[ms] value or an integer literal (epoch milliseconds)",
                () -> col("at").eq(col("qty")).resolve(ORDERS));
    }

    @Test
    void comparingMismatchedTypesIsAnError() {
        assertError("word = 1: cannot compare utf8 with int64 (field 0 ('word') with the literal 1); "
                + "a utf8 value compares with a string literal", () -> col("word").eq(1).resolve(WORDS));
        assertError("2.5 < word: cannot compare float64 with utf8 (the literal 2.5 with field 0 ('word')); "
                + "a utf8 value compares with a string literal", () -> lit(2.5).lt(col("word")).resolve(WORDS));
        assertError("count >= 'x': cannot compare int64 with utf8 (field 1 ('count') with the literal 'x'); "
                + "a utf8 value compares with a string literal", () -> new ExprFilterOperator(WORDS, col("count").ge("x")));
        assertError("word != word: cannot compare utf8 with utf8 (field 0 ('word') with field 0 ('word')); "
                + "a utf8 value compares with a string literal", () -> col("word").ne(col("word")).resolve(WORDS));
        assertError("at > 1.5: cannot compare timestamp[ms] with float64 (field 3 ('at') with the literal 1.5); "
                + "a timestamp[ms] value compares with a timestamp[ms] value or an integer literal (epoch milliseconds)",
                () -> col("at").gt(1.5).resolve(ORDERS));
        assertError("flag = 1: cannot compare bool with int64 (field 2 ('flag') with the literal 1); "
                + "a bool value is a predicate: filter on it as it is, or on its not()",
                () -> col("flag").eq(1).resolve(ORDERS));
    }

    @Test
    void booleanOperatorsNeedPredicates() {
        assertError("a filter needs a bool predicate, but count * 2 is int64",
                () -> new ExprFilterOperator(WORDS, col("count").times(2)));
        assertError("a filter needs a bool predicate, but field 0 ('word') is utf8",
                () -> new ExprFilterOperator(WORDS, col("word").as("w")));
        assertError("count > 1 AND count: AND needs bool operands, but field 1 ('count') is int64",
                () -> new ExprFilterOperator(WORDS, col("count").gt(1).and(col("count"))));
        assertError("'a' OR word = 'b': OR needs bool operands, but the literal 'a' is utf8",
                () -> lit("a").or(col("word").eq("b")).resolve(WORDS));
        assertError("NOT word: NOT needs a bool operand, but field 0 ('word') is utf8",
                () -> col("word").not().resolve(WORDS));
    }

    @Test
    void integerDivisionByAZeroLiteralIsAPlanTimeError() {
        assertError("count / 0: integer division by the constant 0", () -> col("count").div(0).resolve(WORDS));
        assertError("count % 0: integer division by the constant 0", () -> col("count").mod(0).resolve(WORDS));
        assertEquals(ColumnType.FLOAT64, col("count").div(0.0).resolve(WORDS));
        assertEquals(ColumnType.FLOAT64, col("price").mod(0).resolve(ORDERS));
    }

    @Test
    void duplicateProjectedNamesAskForAnAlias() {
        assertError("projection [count, word AS count]: duplicate field name 'count' at positions 0 and 1; "
                + "name the columns apart with as(name)",
                () -> new ProjectOperator(WORDS, List.of(col("count"), col("word").as("count"))));
        assertError("a projection needs at least one expression", () -> new ProjectOperator(WORDS, List.of()));
        assertError("a column name must not be empty: word.as(\"\")", () -> col("word").as(""));
    }

    private static void assertError(String message, Executable plan) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, plan).getMessage());
    }
}
