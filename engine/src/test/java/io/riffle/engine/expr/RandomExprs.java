package io.riffle.engine.expr;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;

/**
 * Random rows with nulls, and random well-typed expressions over them, for comparing the vectorized path
 * with {@link Reference}. Values are drawn from small sets, so comparisons hit equality, and include the
 * edges: NaN, infinities, -0.0, the extreme longs, empty and non-ASCII strings.
 */
final class RandomExprs {
    static final BatchSchema SCHEMA = BatchSchema.of(
            Column.nullable("i32", ColumnType.INT32),
            Column.nullable("i64", ColumnType.INT64),
            Column.nullable("f64", ColumnType.FLOAT64),
            Column.nullable("d", ColumnType.INT64),          // a divisor: never 0
            Column.nullable("s", ColumnType.UTF8),
            Column.nullable("b", ColumnType.BOOL),
            Column.nullable("ts", ColumnType.TIMESTAMP_MS),
            Column.of("k", ColumnType.INT64));

    private static final String[] STRINGS = {"", "a", "ab", "b", "apple", "banana", "é", "z", "ü"};
    private static final double[] DOUBLES = {-2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 3.0, Double.NaN,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
    private static final long[] LONGS = {Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE,
            3_000_000_000L};

    private final Random random;

    RandomExprs(Random random) {
        this.random = random;
    }

    Object[][] rows(int n) {
        Object[][] rows = new Object[n][];
        for (int i = 0; i < n; i++) {
            rows[i] = new Object[] {
                    orNull(random.nextInt(20) == 0 ? (Object) Integer.MIN_VALUE : (Object) (random.nextInt(11) - 5)),
                    orNull(smallLong()),
                    orNull(aDouble()),
                    orNull((long) (random.nextBoolean() ? 1 + random.nextInt(3) : -1 - random.nextInt(3))),
                    orNull(STRINGS[random.nextInt(STRINGS.length)]),
                    orNull(random.nextBoolean()),
                    orNull(Instant.ofEpochMilli(1_000 + random.nextInt(5))),
                    (long) random.nextInt(10)};
        }
        return rows;
    }

    /** A numeric expression (int32, int64 or float64) of at most {@code depth} levels of arithmetic. */
    Expr numeric(int depth) {
        if (depth == 0 || random.nextInt(3) == 0) {
            return numericLeaf();
        }
        Expr left = numeric(depth - 1);
        Expr right = numeric(depth - 1);
        switch (random.nextInt(5)) {
            case 0: return left.plus(right);
            case 1: return left.minus(right);
            case 2: return left.times(right);
            case 3: return left.div(integer(left) && integer(right) ? divisor() : right);
            default: return left.mod(integer(left) && integer(right) ? divisor() : right);
        }
    }

    /** A predicate of at most {@code depth} levels of AND, OR, NOT and null tests over comparisons. */
    Expr predicate(int depth) {
        int kinds = depth == 0 ? 4 : 7;
        switch (random.nextInt(kinds)) {
            case 0:
                return compare(numeric(Math.max(0, depth - 1)), numeric(Math.max(0, depth - 1)));
            case 1:
                return random.nextInt(4) == 0 ? compare(Expr.lit(string()), Expr.lit(string()))
                        : random.nextBoolean() ? compare(Expr.col("s"), Expr.lit(string()))
                        : compare(Expr.lit(string()), Expr.col("s"));
            case 2:
                return random.nextBoolean() ? compare(Expr.col("ts"), Expr.lit(1_000L + random.nextInt(5)))
                        : compare(Expr.lit(1_000L + random.nextInt(5)), Expr.col("ts"));
            case 3:
                return Expr.col("b");
            case 4: {
                Expr operand = random.nextBoolean() ? numeric(depth - 1)
                        : random.nextBoolean() ? predicate(depth - 1) : Expr.col(random.nextInt(SCHEMA.columnCount()));
                return random.nextBoolean() ? operand.isNull() : operand.isNotNull();
            }
            case 5:
                return predicate(depth - 1).not();
            default:
                return random.nextBoolean() ? predicate(depth - 1).and(predicate(depth - 1))
                        : predicate(depth - 1).or(predicate(depth - 1));
        }
    }

    /** One to five projected expressions of every kind, named c0, c1, ... */
    List<Expr> projection() {
        int n = 1 + random.nextInt(5);
        List<Expr> exprs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Expr e;
            switch (random.nextInt(5)) {
                case 0: e = Expr.col(random.nextInt(SCHEMA.columnCount())); break;
                case 1: e = predicate(2); break;
                case 2: e = random.nextBoolean() ? Expr.lit(string()) : numericLeaf(); break;
                default: e = numeric(3); break;
            }
            exprs.add(e.as("c" + i));
        }
        return exprs;
    }

    private Expr compare(Expr left, Expr right) {
        switch (random.nextInt(6)) {
            case 0: return left.eq(right);
            case 1: return left.ne(right);
            case 2: return left.lt(right);
            case 3: return left.le(right);
            case 4: return left.gt(right);
            default: return left.ge(right);
        }
    }

    private Expr numericLeaf() {
        switch (random.nextInt(9)) {
            case 0: return Expr.col("i32");
            case 1: return Expr.col(1);                      // i64, by position
            case 2: return Expr.col("f64");
            case 3: return Expr.col("d");
            case 4: return Expr.col("k");
            case 5: return Expr.lit(smallLong());
            case 6: return Expr.lit(aDouble());
            case 7: return Expr.col("i64");
            default: return Expr.lit((double) (random.nextInt(7) - 3));
        }
    }

    /** A nonzero integer divisor: integer division by zero is an error, not a value to compare. */
    private Expr divisor() {
        return random.nextBoolean() ? Expr.col("d") : Expr.lit(random.nextBoolean() ? 3L : -2L);
    }

    private static boolean integer(Expr e) {
        return e.resolve(SCHEMA) != ColumnType.FLOAT64;
    }

    private long smallLong() {
        return random.nextInt(10) == 0 ? LONGS[random.nextInt(LONGS.length)] : random.nextInt(11) - 5;
    }

    private double aDouble() {
        return random.nextInt(3) == 0 ? random.nextInt(11) - 5 + random.nextInt(4) * 0.25
                : DOUBLES[random.nextInt(DOUBLES.length)];
    }

    private String string() {
        return STRINGS[random.nextInt(STRINGS.length)];
    }

    private Object orNull(Object value) {
        return random.nextInt(7) == 0 ? null : value;
    }
}
