package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Arithmetic over numeric columns, all physical rows at once, into a caller-owned vector of
 * {@link #resultType}: int64 when both operands are int32 or int64 (Java long arithmetic, wrapping on
 * overflow), float64 when either is float64. A null operand gives a null result. Integer division or
 * remainder by zero is an error naming the field and row, raised before anything is written.
 * Stateless; allocation-free once {@code out} is large enough.
 *
 * <pre>{@code
 * try (BigIntVector total = new BigIntVector("total", allocator)) {
 *     ArithmeticKernel.apply(batch, price, ArithmeticOp.MULTIPLY, qty, total);
 * }
 * }</pre>
 */
public final class ArithmeticKernel {
    private ArithmeticKernel() {
    }

    /** int64 for two integer operands, float64 otherwise. */
    public static ColumnType resultType(ColumnType a, ColumnType b) {
        return a == ColumnType.FLOAT64 || b == ColumnType.FLOAT64 ? ColumnType.FLOAT64 : ColumnType.INT64;
    }

    /** {@code out[i] = left[i] OP right[i]}. */
    public static void apply(RecordBatch batch, int left, ArithmeticOp op, int right, FieldVector out) {
        ColumnType lt = numeric(batch, left);
        ColumnType rt = numeric(batch, right);
        run(batch, left, lt, op, right, rt, 0L, 0.0, out);
    }

    /** {@code out[i] = left[i] OP constant}, the constant an integer. */
    public static void apply(RecordBatch batch, int left, ArithmeticOp op, long constant, FieldVector out) {
        ColumnType lt = numeric(batch, left);
        if (lt != ColumnType.FLOAT64 && constant == 0 && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER)) {
            throw new ArithmeticException(batch.schema().describe(left) + ": integer division by the constant 0");
        }
        run(batch, left, lt, op, -1, ColumnType.INT64, constant, constant, out);
    }

    /** {@code out[i] = left[i] OP constant}, the constant a double (the result is float64). */
    public static void apply(RecordBatch batch, int left, ArithmeticOp op, double constant, FieldVector out) {
        ColumnType lt = numeric(batch, left);
        run(batch, left, lt, op, -1, ColumnType.FLOAT64, 0L, constant, out);
    }

    private static void run(RecordBatch batch, int left, ColumnType lt, ArithmeticOp op, int right, ColumnType rt,
                            long longConstant, double doubleConstant, FieldVector out) {
        ColumnType result = resultType(lt, rt);
        ColumnType actual = ColumnType.fromArrow(out.getField().getType());
        if (actual != result) {
            throw new IllegalArgumentException("the result of " + batch.schema().describe(left) + " " + op
                    + (right < 0 ? " a constant" : " " + batch.schema().describe(right)) + " is " + result
                    + "; the output vector is " + actual);
        }
        int n = batch.rowCount();
        FieldVector lv = batch.vector(left);
        FieldVector rv = right < 0 ? null : batch.vector(right);
        long ld = lv.getDataBufferAddress();
        long rd = rv == null ? 0L : rv.getDataBufferAddress();
        long lvalid = Bits.nullsAddress(lv);
        long rvalid = rv == null ? 0L : Bits.nullsAddress(rv);
        boolean integer = result == ColumnType.INT64;
        if (integer && rv != null && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER)) {
            for (int i = 0; i < n; i++) {
                if (Operands.readLong(rd, rt, i) == 0 && Bits.isValid(lvalid, i) && Bits.isValid(rvalid, i)) {
                    throw new ArithmeticException(batch.schema().describe(right) + ": division by zero at row " + i);
                }
            }
        }
        if (out.getValueCapacity() < n) {
            out.clear();
            out.setInitialCapacity(Math.max(n, 1));
            out.allocateNew();
        }
        long od = out.getDataBufferAddress();
        if (integer) {
            boolean divides = op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER;
            for (int i = 0; i < n; i++) {
                long a = Operands.readLong(ld, lt, i);
                long b = rv == null ? longConstant : Operands.readLong(rd, rt, i);
                // Only a null row can still have a 0 divisor here; its result is masked as null below.
                MemoryUtil.putLong(od + ((long) i << 3), longOp(op, a, divides && b == 0 ? 1 : b));
            }
        } else {
            for (int i = 0; i < n; i++) {
                double a = Operands.readDouble(ld, lt, i);
                double b = rv == null ? doubleConstant : Operands.readDouble(rd, rt, i);
                MemoryUtil.putLong(od + ((long) i << 3), Double.doubleToRawLongBits(doubleOp(op, a, b)));
            }
        }
        long ov = out.getValidityBufferAddress();
        int bytes = (n + 7) >>> 3;
        if (lvalid == 0L && rvalid == 0L) {
            MemoryUtil.setMemory(ov, bytes, (byte) 0xFF);
        } else {
            for (int i = 0; i < bytes; i++) {
                int a = lvalid == 0L ? 0xFF : MemoryUtil.getByte(lvalid + i);
                int b = rvalid == 0L ? 0xFF : MemoryUtil.getByte(rvalid + i);
                MemoryUtil.putByte(ov + i, (byte) (a & b));
            }
        }
        out.setValueCount(n);
    }

    private static long longOp(ArithmeticOp op, long a, long b) {
        switch (op) {
            case ADD: return a + b;
            case SUBTRACT: return a - b;
            case MULTIPLY: return a * b;
            case DIVIDE: return a / b;
            default: return a % b;
        }
    }

    private static double doubleOp(ArithmeticOp op, double a, double b) {
        switch (op) {
            case ADD: return a + b;
            case SUBTRACT: return a - b;
            case MULTIPLY: return a * b;
            case DIVIDE: return a / b;
            default: return a % b;
        }
    }

    private static ColumnType numeric(RecordBatch batch, int column) {
        ColumnType type = batch.schema().column(column).type();
        if (!type.isNumeric()) {
            throw new IllegalArgumentException(batch.schema().describe(column)
                    + ": arithmetic needs an int32, int64 or float64 field");
        }
        return type;
    }
}
