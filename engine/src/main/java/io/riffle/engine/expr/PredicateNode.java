package io.riffle.engine.expr;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.CompareKernel;
import io.riffle.columnar.kernel.CompareOp;

/**
 * A bound predicate: selects, from the rows of a selection (null: every row), those where it is true,
 * a whole batch per call. Its {@link #negate negation} selects the rows where it is false, so NOT never
 * selects a row where the predicate is null. Built by the {@link Binder}; single-threaded.
 */
abstract class PredicateNode {
    /** Whether the predicate can be null (neither true nor false) on some row. */
    final boolean nullable;

    PredicateNode(boolean nullable) {
        this.nullable = nullable;
    }

    /**
     * Writes the rows of {@code in} (null: every row of the frame's batch) where the predicate is true
     * into {@code out}, ascending, and returns their number. {@code in} and {@code out} may be the same.
     */
    abstract int select(Frame frame, SelectionVector in, SelectionVector out);

    /** The predicate that is true where this one is false, and null where it is null. */
    abstract PredicateNode negate();

    /**
     * {@code left OP right} with {@link CompareKernel}: right is a constant (an integer, a double or UTF-8
     * bytes), or a column of the same batch as left.
     */
    static final class Compare extends PredicateNode {
        enum Form { LONG, DOUBLE, UTF8, COLUMNS }

        final ValueNode left;
        final CompareOp op;
        final Form form;
        /** The right operand when {@link #form} is COLUMNS, else null. */
        final ValueNode right;
        final long longConstant;
        final double doubleConstant;
        final byte[] utf8Constant;

        private Compare(ValueNode left, CompareOp op, Form form, ValueNode right, long longConstant,
                        double doubleConstant, byte[] utf8Constant) {
            super(left.nullable || right != null && right.nullable);
            this.left = left;
            this.op = op;
            this.form = form;
            this.right = right;
            this.longConstant = longConstant;
            this.doubleConstant = doubleConstant;
            this.utf8Constant = utf8Constant;
        }

        static Compare ofColumns(ValueNode left, CompareOp op, ValueNode right) {
            return new Compare(left, op, Form.COLUMNS, right, 0, 0, null);
        }

        static Compare ofLong(ValueNode left, CompareOp op, long constant) {
            return new Compare(left, op, Form.LONG, null, constant, 0, null);
        }

        static Compare ofDouble(ValueNode left, CompareOp op, double constant) {
            return new Compare(left, op, Form.DOUBLE, null, 0, constant, null);
        }

        static Compare ofUtf8(ValueNode left, CompareOp op, byte[] constant) {
            return new Compare(left, op, Form.UTF8, null, 0, 0, constant);
        }

        @Override
        int select(Frame frame, SelectionVector in, SelectionVector out) {
            left.evaluate(frame);
            switch (form) {
                case LONG:
                    return CompareKernel.compare(left.batch(frame), left.column(), op, longConstant, in, out);
                case DOUBLE:
                    return CompareKernel.compare(left.batch(frame), left.column(), op, doubleConstant, in, out);
                case UTF8:
                    return CompareKernel.compareUtf8(left.batch(frame), left.column(), op, utf8Constant, in, out);
                default:
                    right.evaluate(frame);
                    return CompareKernel.compareColumns(left.batch(frame), left.column(), op, right.column(), in,
                            out);
            }
        }

        /**
         * The opposite op where that is exact; with a float64 operand it is not (NaN fails both {@code <}
         * and {@code >=}), so the negation is then "both operands present, and not this".
         */
        @Override
        PredicateNode negate() {
            boolean floating = left.type == ColumnType.FLOAT64 || form == Form.DOUBLE
                    || form == Form.COLUMNS && right.type == ColumnType.FLOAT64;
            if (floating) {
                return new NotCompare(this);
            }
            return new Compare(left, opposite(op), form, right, longConstant, doubleConstant, utf8Constant);
        }

        private static CompareOp opposite(CompareOp op) {
            switch (op) {
                case EQ: return CompareOp.NE;
                case NE: return CompareOp.EQ;
                case LT: return CompareOp.GE;
                case LE: return CompareOp.GT;
                case GT: return CompareOp.LE;
                default: return CompareOp.LT;
            }
        }
    }

    /** The rows where a comparison is false: its operands are present and it does not hold. */
    static final class NotCompare extends PredicateNode {
        private final Compare compare;
        private final SelectionVector present = new SelectionVector(1024);
        private final SelectionVector holds = new SelectionVector(1024);

        NotCompare(Compare compare) {
            super(compare.nullable);
            this.compare = compare;
        }

        @Override
        int select(Frame frame, SelectionVector in, SelectionVector out) {
            ValueNode left = compare.left;
            ValueNode right = compare.right;
            left.evaluate(frame);
            CompareKernel.isNotNull(left.batch(frame), left.column(), in, present);
            if (right != null) {
                right.evaluate(frame);
                CompareKernel.isNotNull(right.batch(frame), right.column(), present, present);
            }
            compare.select(frame, in, holds);
            return Selections.difference(present, holds, out);
        }

        @Override
        PredicateNode negate() {
            return compare;
        }
    }

    /** IS NULL ({@code isNull} true) or IS NOT NULL of a value. */
    static final class NullTest extends PredicateNode {
        private final ValueNode value;
        private final boolean isNull;

        NullTest(ValueNode value, boolean isNull) {
            super(false);
            this.value = value;
            this.isNull = isNull;
        }

        @Override
        int select(Frame frame, SelectionVector in, SelectionVector out) {
            value.evaluate(frame);
            return isNull
                    ? CompareKernel.isNull(value.batch(frame), value.column(), in, out)
                    : CompareKernel.isNotNull(value.batch(frame), value.column(), in, out);
        }

        @Override
        PredicateNode negate() {
            return new NullTest(value, !isNull);
        }
    }

    /** A bool value used as a predicate: the rows where it is {@code want}. */
    static final class BoolColumn extends PredicateNode {
        private final ValueNode value;
        private final boolean want;

        BoolColumn(ValueNode value, boolean want) {
            super(value.nullable);
            this.value = value;
            this.want = want;
        }

        @Override
        int select(Frame frame, SelectionVector in, SelectionVector out) {
            value.evaluate(frame);
            return Selections.selectBools(value.batch(frame).vector(value.column()), want, frame.input.rowCount(),
                    in, out);
        }

        @Override
        PredicateNode negate() {
            return new BoolColumn(value, !want);
        }
    }

    /** Both hold: the right one is tested only on the rows the left one selects. */
    static final class And extends PredicateNode {
        private final PredicateNode left;
        private final PredicateNode right;

        And(PredicateNode left, PredicateNode right) {
            super(left.nullable || right.nullable);
            this.left = left;
            this.right = right;
        }

        @Override
        int select(Frame frame, SelectionVector in, SelectionVector out) {
            int k = left.select(frame, in, out);
            return k == 0 ? 0 : right.select(frame, out, out);
        }

        @Override
        PredicateNode negate() {
            return new Or(left.negate(), right.negate());
        }
    }

    /** Either holds: the union of the rows each selects. */
    static final class Or extends PredicateNode {
        private final PredicateNode left;
        private final PredicateNode right;
        private final SelectionVector leftRows = new SelectionVector(1024);
        private final SelectionVector rightRows = new SelectionVector(1024);

        Or(PredicateNode left, PredicateNode right) {
            super(left.nullable || right.nullable);
            this.left = left;
            this.right = right;
        }

        @Override
        int select(Frame frame, SelectionVector in, SelectionVector out) {
            left.select(frame, in, leftRows);
            right.select(frame, in, rightRows);
            return Selections.union(leftRows, rightRows, out);
        }

        @Override
        PredicateNode negate() {
            return new And(left.negate(), right.negate());
        }
    }
}
