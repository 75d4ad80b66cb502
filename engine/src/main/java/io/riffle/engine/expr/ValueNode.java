package io.riffle.engine.expr;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.ArithmeticKernel;
import io.riffle.columnar.kernel.ArithmeticOp;
import org.apache.arrow.vector.FieldVector;

/**
 * A bound expression that yields a column: a field of the input batch, or a column it computes, a whole
 * batch per call, into its slot of the work batch (or straight into a projection's output vector).
 * Built by the {@link Binder}; single-threaded.
 */
abstract class ValueNode {
    /** The expression's text, for names and errors. */
    final String text;
    final ColumnType type;
    final boolean nullable;
    /** The node's column in the work batch, or -1: assigned by the binder when an operator reads it there. */
    int slot = -1;
    private long evaluatedBatch;

    ValueNode(String text, ColumnType type, boolean nullable) {
        this.text = text;
        this.type = type;
        this.nullable = nullable;
    }

    /** The batch that holds the value once evaluated. */
    RecordBatch batch(Frame frame) {
        return frame.work;
    }

    /** The value's column in {@link #batch}. */
    int column() {
        return slot;
    }

    /** Makes the value of every row of the frame's batch available at {@link #batch}, {@link #column}. */
    void evaluate(Frame frame) {
        if (evaluatedBatch != frame.batchNumber) {
            evaluatedBatch = frame.batchNumber;
            compute(frame, frame.work.vector(slot));
        }
    }

    /** Writes the value of every row of the frame's batch into {@code out}, a vector of {@link #type}. */
    abstract void compute(Frame frame, FieldVector out);

    /** A field of the input batch, read where it is; computing it copies it. */
    static final class InputColumn extends ValueNode {
        final int index;

        InputColumn(String text, ColumnType type, boolean nullable, int index) {
            super(text, type, nullable);
            this.index = index;
        }

        @Override
        RecordBatch batch(Frame frame) {
            return frame.input;
        }

        @Override
        int column() {
            return index;
        }

        @Override
        void evaluate(Frame frame) {
        }

        @Override
        void compute(Frame frame, FieldVector out) {
            Vectors.copy(frame.input.vector(index), out, type, frame.input.rowCount());
        }
    }

    /** A copy of an input field in the work batch, for a kernel whose other operand is computed there. */
    static final class StagedColumn extends ValueNode {
        private final InputColumn field;

        StagedColumn(InputColumn field) {
            super(field.text, field.type, field.nullable);
            this.field = field;
        }

        @Override
        void compute(Frame frame, FieldVector out) {
            field.compute(frame, out);
        }
    }

    /** A literal as a column: for a kernel that takes constants only as its right operand, or for a projection. */
    static final class Constant extends ValueNode {
        final long longValue;
        final double doubleValue;
        final byte[] utf8;

        Constant(String text, ColumnType type, long longValue, double doubleValue, byte[] utf8) {
            super(text, type, false);
            this.longValue = longValue;
            this.doubleValue = doubleValue;
            this.utf8 = utf8;
        }

        @Override
        void compute(Frame frame, FieldVector out) {
            int n = frame.input.rowCount();
            switch (type) {
                case INT64:
                case TIMESTAMP_MS:
                    Vectors.fill(out, longValue, n);
                    break;
                case FLOAT64:
                    Vectors.fill(out, Double.doubleToRawLongBits(doubleValue), n);
                    break;
                default:
                    Vectors.fill(out, utf8, n);
                    break;
            }
        }
    }

    /**
     * {@code left OP right} with {@link ArithmeticKernel}: right is a constant, or a column of the same
     * batch as left (both input fields, or both in the work batch).
     */
    static final class Arithmetic extends ValueNode {
        private final ValueNode left;
        private final ArithmeticOp op;
        /** The right operand, or null when it is {@link #longConstant} or {@link #doubleConstant}. */
        private final ValueNode right;
        private final boolean doubleRight;
        private final long longConstant;
        private final double doubleConstant;

        private Arithmetic(String text, ColumnType type, ValueNode left, ArithmeticOp op, ValueNode right,
                           boolean doubleRight, long longConstant, double doubleConstant) {
            super(text, type, left.nullable || right != null && right.nullable);
            this.left = left;
            this.op = op;
            this.right = right;
            this.doubleRight = doubleRight;
            this.longConstant = longConstant;
            this.doubleConstant = doubleConstant;
        }

        static Arithmetic ofColumns(String text, ColumnType type, ValueNode left, ArithmeticOp op, ValueNode right) {
            return new Arithmetic(text, type, left, op, right, false, 0, 0);
        }

        static Arithmetic ofConstant(String text, ColumnType type, ValueNode left, ArithmeticOp op, Constant right) {
            boolean isDouble = right.type == ColumnType.FLOAT64;
            return new Arithmetic(text, type, left, op, null, isDouble, right.longValue, right.doubleValue);
        }

        @Override
        void compute(Frame frame, FieldVector out) {
            left.evaluate(frame);
            RecordBatch batch = left.batch(frame);
            try {
                if (right != null) {
                    right.evaluate(frame);
                    ArithmeticKernel.apply(batch, left.column(), op, right.column(), out);
                } else if (doubleRight) {
                    ArithmeticKernel.apply(batch, left.column(), op, doubleConstant, out);
                } else {
                    ArithmeticKernel.apply(batch, left.column(), op, longConstant, out);
                }
            } catch (ArithmeticException e) {
                ArithmeticException named = new ArithmeticException(text + ": " + e.getMessage());
                named.initCause(e);
                throw named;
            }
        }
    }

    /**
     * A predicate as a bool column, with SQL's three values: true on the rows {@code isTrue} selects, false
     * on those {@code isFalse} (its negation) selects, null elsewhere.
     */
    static final class PredicateValue extends ValueNode {
        private final PredicateNode isTrue;
        private final PredicateNode isFalse;
        private final SelectionVector trueRows = new SelectionVector(1024);
        private final SelectionVector falseRows = new SelectionVector(1024);

        PredicateValue(String text, PredicateNode predicate) {
            super(text, ColumnType.BOOL, predicate.nullable);
            this.isTrue = predicate;
            this.isFalse = predicate.negate();
        }

        @Override
        void compute(Frame frame, FieldVector out) {
            isTrue.select(frame, null, trueRows);
            isFalse.select(frame, null, falseRows);
            Vectors.writeBools(out, trueRows, falseRows, frame.input.rowCount());
        }
    }
}
