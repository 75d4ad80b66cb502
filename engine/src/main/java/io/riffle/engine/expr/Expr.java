package io.riffle.engine.expr;

import java.time.Instant;
import java.util.Objects;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.ArithmeticOp;
import io.riffle.columnar.kernel.CompareOp;

/**
 * A column expression: a field, a literal, or arithmetic, comparisons, boolean logic and null tests over
 * them. Immutable. Expressions are bound to a schema at plan time, where a wrong field or type is an error
 * naming the expression and the field, and evaluated a whole batch at a time with the columnar kernels.
 *
 * <pre>{@code
 * Expr total = Expr.col("price").times(Expr.col("qty")).as("total");      // float64 * int64: float64
 * Expr wanted = Expr.col("qty").le(5).and(Expr.col("word").ne("apple"));  // a predicate, for filters
 * ColumnType type = total.resolve(schema);                                // FLOAT64, or a plan-time error
 * }</pre>
 *
 * <p>Semantics: arithmetic on two integer operands is Java {@code long} arithmetic (int64 result, wrapping,
 * integer division, division by zero an error), with a float64 operand Java {@code double} arithmetic
 * (float64 result). A timestamp[ms] counts in epoch milliseconds, as Flink SQL's {@code TIMESTAMP_LTZ(3)}
 * plus or minus an interval: {@code timestamp + integer}, {@code integer + timestamp} and
 * {@code timestamp - integer} are timestamp[ms], the integer a number of milliseconds
 * ({@code col("window_end").minus(1)} is the window's last millisecond); {@code timestamp - timestamp} is the
 * int64 number of milliseconds between them; any other arithmetic with a timestamp (times, div, mod, a
 * timestamp plus a timestamp, a float64 operand) is an error. A null operand makes arithmetic and comparisons null; a filter keeps only the rows
 * where its predicate is true, so a comparison with null never selects. AND, OR and NOT follow SQL's
 * three-valued logic. Numbers compare as Java compares them (NaN is only {@code !=} anything), strings by
 * code point. Comparisons take a number with a number, a utf8 value with a string literal, and a
 * timestamp[ms] value with a timestamp[ms] value ({@link #lit(Instant)}) or an integer literal (epoch
 * milliseconds).
 *
 * <p>A projected column keeps a bare field's name; any other expression is named by its text, such as
 * {@code price * 2}, unless {@link #as} names it.
 */
public abstract class Expr {
    // How tightly a node binds when rendered: an operand binding less tightly than its parent needs is
    // parenthesized. Arithmetic and AND/OR parenthesize themselves, so they count as atoms.
    static final int ATOM = 3;
    static final int COMPARISON = 2;
    static final int NEGATION = 1;
    static final int ALIAS = 0;

    Expr() {
    }

    /** The field named {@code name}. */
    public static Expr col(String name) {
        return new ColumnRef(Objects.requireNonNull(name, "name"), -1);
    }

    /** The field at position {@code index} of the schema. */
    public static Expr col(int index) {
        return new ColumnRef(null, index);
    }

    /** An int64 constant. */
    public static Expr lit(long value) {
        return new Literal(ColumnType.INT64, value, 0, null);
    }

    /** A float64 constant. */
    public static Expr lit(double value) {
        return new Literal(ColumnType.FLOAT64, 0, value, null);
    }

    /** A utf8 constant. */
    public static Expr lit(String value) {
        return new Literal(ColumnType.UTF8, 0, 0, Objects.requireNonNull(value, "value"));
    }

    /** A timestamp[ms] constant: {@code value} to the millisecond, written {@code TIMESTAMP '...Z'}. */
    public static Expr lit(Instant value) {
        return new Literal(ColumnType.TIMESTAMP_MS, value.toEpochMilli(), 0, null);
    }

    public Expr plus(Expr other) {
        return new Arithmetic(ArithmeticOp.ADD, this, other);
    }

    public Expr plus(long value) {
        return plus(lit(value));
    }

    public Expr plus(double value) {
        return plus(lit(value));
    }

    public Expr minus(Expr other) {
        return new Arithmetic(ArithmeticOp.SUBTRACT, this, other);
    }

    public Expr minus(long value) {
        return minus(lit(value));
    }

    public Expr minus(double value) {
        return minus(lit(value));
    }

    public Expr times(Expr other) {
        return new Arithmetic(ArithmeticOp.MULTIPLY, this, other);
    }

    public Expr times(long value) {
        return times(lit(value));
    }

    public Expr times(double value) {
        return times(lit(value));
    }

    /** Division: integer division (toward zero) for two integer operands. */
    public Expr div(Expr other) {
        return new Arithmetic(ArithmeticOp.DIVIDE, this, other);
    }

    public Expr div(long value) {
        return div(lit(value));
    }

    public Expr div(double value) {
        return div(lit(value));
    }

    /** Remainder, with the sign of the dividend, as Java's {@code %}. */
    public Expr mod(Expr other) {
        return new Arithmetic(ArithmeticOp.REMAINDER, this, other);
    }

    public Expr mod(long value) {
        return mod(lit(value));
    }

    public Expr mod(double value) {
        return mod(lit(value));
    }

    public Expr eq(Expr other) {
        return new Comparison(CompareOp.EQ, this, other);
    }

    public Expr eq(long value) {
        return eq(lit(value));
    }

    public Expr eq(double value) {
        return eq(lit(value));
    }

    public Expr eq(String value) {
        return eq(lit(value));
    }

    public Expr ne(Expr other) {
        return new Comparison(CompareOp.NE, this, other);
    }

    public Expr ne(long value) {
        return ne(lit(value));
    }

    public Expr ne(double value) {
        return ne(lit(value));
    }

    public Expr ne(String value) {
        return ne(lit(value));
    }

    public Expr lt(Expr other) {
        return new Comparison(CompareOp.LT, this, other);
    }

    public Expr lt(long value) {
        return lt(lit(value));
    }

    public Expr lt(double value) {
        return lt(lit(value));
    }

    public Expr lt(String value) {
        return lt(lit(value));
    }

    public Expr le(Expr other) {
        return new Comparison(CompareOp.LE, this, other);
    }

    public Expr le(long value) {
        return le(lit(value));
    }

    public Expr le(double value) {
        return le(lit(value));
    }

    public Expr le(String value) {
        return le(lit(value));
    }

    public Expr gt(Expr other) {
        return new Comparison(CompareOp.GT, this, other);
    }

    public Expr gt(long value) {
        return gt(lit(value));
    }

    public Expr gt(double value) {
        return gt(lit(value));
    }

    public Expr gt(String value) {
        return gt(lit(value));
    }

    public Expr ge(Expr other) {
        return new Comparison(CompareOp.GE, this, other);
    }

    public Expr ge(long value) {
        return ge(lit(value));
    }

    public Expr ge(double value) {
        return ge(lit(value));
    }

    public Expr ge(String value) {
        return ge(lit(value));
    }

    /** Both predicates hold (false if either is false, else null if either is null). */
    public Expr and(Expr other) {
        return new Logical(true, this, other);
    }

    /** Either predicate holds (true if either is true, else null if either is null). */
    public Expr or(Expr other) {
        return new Logical(false, this, other);
    }

    /** The predicate does not hold (null stays null). */
    public Expr not() {
        return new Not(this);
    }

    /** True where the value is null; never null itself. */
    public Expr isNull() {
        return new NullTest(true, this);
    }

    /** True where the value is not null; never null itself. */
    public Expr isNotNull() {
        return new NullTest(false, this);
    }

    /** This expression, projected as a column named {@code name}. */
    public Expr as(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a column name must not be empty: " + this + ".as(\"\")");
        }
        return new Alias(this, name);
    }

    /**
     * Type-checks this expression against {@code schema} and returns the type of its values: bool for a
     * predicate. Fails with a message naming the expression and the field at fault.
     */
    public ColumnType resolve(BatchSchema schema) {
        return new Binder(schema).value(this).type;
    }

    /** The expression as it reads, with arithmetic and AND/OR parenthesized: {@code (price * 2)}, {@code qty <= 5}. */
    @Override
    public final String toString() {
        StringBuilder sb = new StringBuilder();
        render(sb, null, false);
        return sb.toString();
    }

    /** The text used in names and errors: fields by their names in {@code schema}, no outer parentheses. */
    final String text(BatchSchema schema) {
        StringBuilder sb = new StringBuilder();
        render(sb, schema, true);
        return sb.toString();
    }

    /** The name of the column this expression projects to. */
    String columnName(BatchSchema schema) {
        return text(schema);
    }

    /** Whether the expression is a predicate by its form (comparison, AND, OR, NOT, null test). */
    boolean isPredicate() {
        return false;
    }

    /** Renders into {@code sb}; {@code bare} leaves out the parentheses a node would put around itself. */
    abstract void render(StringBuilder sb, BatchSchema schema, boolean bare);

    abstract int precedence();

    static void renderOperand(StringBuilder sb, Expr operand, int atLeast, BatchSchema schema) {
        if (operand.precedence() < atLeast) {
            sb.append('(');
            operand.render(sb, schema, true);
            sb.append(')');
        } else {
            operand.render(sb, schema, false);
        }
    }

    static String symbol(ArithmeticOp op) {
        switch (op) {
            case ADD: return "+";
            case SUBTRACT: return "-";
            case MULTIPLY: return "*";
            case DIVIDE: return "/";
            default: return "%";
        }
    }

    static String symbol(CompareOp op) {
        switch (op) {
            case EQ: return "=";
            case NE: return "!=";
            case LT: return "<";
            case LE: return "<=";
            case GT: return ">";
            default: return ">=";
        }
    }

    /** A field, by name or (when {@code name} is null) by position. */
    static final class ColumnRef extends Expr {
        final String name;
        final int index;

        ColumnRef(String name, int index) {
            this.name = name;
            this.index = index;
        }

        /** The field's position in {@code schema}, or an error listing the fields there are. */
        int resolveIndex(BatchSchema schema) {
            return name != null ? schema.indexOf(name) : schema.checkIndex(index);
        }

        @Override
        String columnName(BatchSchema schema) {
            return schema.column(resolveIndex(schema)).name();
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            if (name != null) {
                sb.append(name);
            } else if (schema != null && index >= 0 && index < schema.columnCount()) {
                sb.append(schema.column(index).name());
            } else {
                sb.append('#').append(index);
            }
        }

        @Override
        int precedence() {
            return ATOM;
        }
    }

    /** A constant: int64, float64, utf8 or timestamp[ms] (as epoch milliseconds). */
    static final class Literal extends Expr {
        final ColumnType type;
        final long longValue;
        final double doubleValue;
        final String stringValue;

        Literal(ColumnType type, long longValue, double doubleValue, String stringValue) {
            this.type = type;
            this.longValue = longValue;
            this.doubleValue = doubleValue;
            this.stringValue = stringValue;
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            switch (type) {
                case INT64:
                    sb.append(longValue);
                    break;
                case FLOAT64:
                    sb.append(doubleValue);
                    break;
                case TIMESTAMP_MS:
                    sb.append("TIMESTAMP '").append(Instant.ofEpochMilli(longValue)).append('\'');
                    break;
                default:
                    sb.append('\'').append(stringValue.replace("'", "''")).append('\'');
                    break;
            }
        }

        @Override
        int precedence() {
            return ATOM;
        }
    }

    static final class Arithmetic extends Expr {
        final ArithmeticOp op;
        final Expr left;
        final Expr right;

        Arithmetic(ArithmeticOp op, Expr left, Expr right) {
            this.op = op;
            this.left = left;
            this.right = Objects.requireNonNull(right, "operand");
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            if (!bare) {
                sb.append('(');
            }
            renderOperand(sb, left, ATOM, schema);
            sb.append(' ').append(symbol(op)).append(' ');
            renderOperand(sb, right, ATOM, schema);
            if (!bare) {
                sb.append(')');
            }
        }

        @Override
        int precedence() {
            return ATOM;
        }
    }

    static final class Comparison extends Expr {
        final CompareOp op;
        final Expr left;
        final Expr right;

        Comparison(CompareOp op, Expr left, Expr right) {
            this.op = op;
            this.left = left;
            this.right = Objects.requireNonNull(right, "operand");
        }

        @Override
        boolean isPredicate() {
            return true;
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            renderOperand(sb, left, ATOM, schema);
            sb.append(' ').append(symbol(op)).append(' ');
            renderOperand(sb, right, ATOM, schema);
        }

        @Override
        int precedence() {
            return COMPARISON;
        }
    }

    /** AND ({@code and} true) or OR of two predicates. */
    static final class Logical extends Expr {
        final boolean and;
        final Expr left;
        final Expr right;

        Logical(boolean and, Expr left, Expr right) {
            this.and = and;
            this.left = left;
            this.right = Objects.requireNonNull(right, "operand");
        }

        String keyword() {
            return and ? "AND" : "OR";
        }

        @Override
        boolean isPredicate() {
            return true;
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            if (!bare) {
                sb.append('(');
            }
            renderOperand(sb, left, NEGATION, schema);
            sb.append(' ').append(keyword()).append(' ');
            renderOperand(sb, right, NEGATION, schema);
            if (!bare) {
                sb.append(')');
            }
        }

        @Override
        int precedence() {
            return ATOM;
        }
    }

    static final class Not extends Expr {
        final Expr operand;

        Not(Expr operand) {
            this.operand = operand;
        }

        @Override
        boolean isPredicate() {
            return true;
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            sb.append("NOT ");
            renderOperand(sb, operand, ATOM, schema);
        }

        @Override
        int precedence() {
            return NEGATION;
        }
    }

    /** IS NULL ({@code isNull} true) or IS NOT NULL. */
    static final class NullTest extends Expr {
        final boolean isNull;
        final Expr operand;

        NullTest(boolean isNull, Expr operand) {
            this.isNull = isNull;
            this.operand = operand;
        }

        @Override
        boolean isPredicate() {
            return true;
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            renderOperand(sb, operand, ATOM, schema);
            sb.append(isNull ? " IS NULL" : " IS NOT NULL");
        }

        @Override
        int precedence() {
            return COMPARISON;
        }
    }

    /** A name for the column an expression projects to; elsewhere it stands for the expression. */
    static final class Alias extends Expr {
        final Expr operand;
        final String name;

        Alias(Expr operand, String name) {
            this.operand = operand;
            this.name = name;
        }

        @Override
        String columnName(BatchSchema schema) {
            return name;
        }

        @Override
        void render(StringBuilder sb, BatchSchema schema, boolean bare) {
            operand.render(sb, schema, false);
            sb.append(" AS ").append(name);
        }

        @Override
        int precedence() {
            return ALIAS;
        }
    }
}
