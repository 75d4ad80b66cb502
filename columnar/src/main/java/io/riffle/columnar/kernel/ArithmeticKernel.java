package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Arithmetic over numeric columns, all physical rows at once (the selection is ignored), into a
 * caller-owned vector of {@link #resultType}: int64 when both operands are int32 or int64 (Java long
 * arithmetic, wrapping on overflow, integer division), float64 when either is float64 (Java double
 * arithmetic). Timestamps are epoch milliseconds: timestamp[ms] plus or minus an integer (milliseconds) is a
 * timestamp[ms], a timestamp[ms] less another is int64 milliseconds, computed as int64 arithmetic; nothing
 * else takes a timestamp. A null operand gives a null result. Integer division or remainder by zero is an error
 * naming the field and row, raised before anything is written. {@code out} may be the left operand's
 * vector (in place) but not the right one's. Stateless; allocation-free once {@code out} is large enough.
 *
 * <pre>{@code
 * ColumnType type = ArithmeticKernel.resultType(schema.column(price).type(), schema.column(qty).type());
 * try (Float8Vector total = new Float8Vector("total", allocator)) {     // float64: price is float64
 *     ArithmeticKernel.apply(batch, price, ArithmeticOp.MULTIPLY, qty, total);
 * }
 * }</pre>
 */
public final class ArithmeticKernel {
    private ArithmeticKernel() {
    }

    /** int64 for two integer operands, float64 when either is float64; an error for other types. */
    public static ColumnType resultType(ColumnType a, ColumnType b) {
        if (!a.isNumeric() || !b.isNumeric()) {
            throw new IllegalArgumentException("arithmetic needs int32, int64 or float64 operands, not "
                    + (a.isNumeric() ? b : a));
        }
        return a == ColumnType.FLOAT64 || b == ColumnType.FLOAT64 ? ColumnType.FLOAT64 : ColumnType.INT64;
    }

    /**
     * {@link #resultType(ColumnType, ColumnType)} for numbers; with a timestamp[ms] operand: timestamp[ms] for
     * {@code timestamp + integer}, {@code integer + timestamp} and {@code timestamp - integer} (the integer in
     * milliseconds), int64 milliseconds for {@code timestamp - timestamp}; an error for the rest.
     */
    public static ColumnType resultType(ColumnType a, ArithmeticOp op, ColumnType b) {
        if (a != ColumnType.TIMESTAMP_MS && b != ColumnType.TIMESTAMP_MS) {
            return resultType(a, b);
        }
        boolean integerA = a == ColumnType.INT32 || a == ColumnType.INT64;
        boolean integerB = b == ColumnType.INT32 || b == ColumnType.INT64;
        if (op == ArithmeticOp.ADD && (integerA || integerB)
                || op == ArithmeticOp.SUBTRACT && a == ColumnType.TIMESTAMP_MS && integerB) {
            return ColumnType.TIMESTAMP_MS;
        }
        if (op == ArithmeticOp.SUBTRACT && a == b) {
            return ColumnType.INT64;
        }
        throw new IllegalArgumentException("timestamp[ms] arithmetic is a timestamp plus or minus an integer"
                + " (milliseconds) or a timestamp less a timestamp, not " + a + " " + op + " " + b);
    }

    /** {@code out[i] = left[i] OP right[i]} for every row. */
    public static void apply(RecordBatch batch, int left, ArithmeticOp op, int right, FieldVector out) {
        BatchSchema schema = batch.schema();
        ColumnType leftType = operand(batch, left);
        ColumnType rightType = operand(batch, right);
        ColumnType result = resultType(leftType, op, rightType);
        ColumnType lt = inLoops(leftType);
        ColumnType rt = inLoops(rightType);
        if (outputType(out) != result) {
            throw wrongOutput(batch, left, op, schema.describe(right), result, out);
        }
        FieldVector lv = batch.vector(left);
        FieldVector rv = batch.vector(right);
        if (out == rv && right != left) {
            throw new IllegalArgumentException("the output vector is the right operand, " + schema.describe(right)
                    + ", which the kernel would overwrite before reading; pass another vector or the left operand's");
        }
        int n = batch.rowCount();
        long rd = rv.getDataBufferAddress();
        long lvalid = Bits.nullsAddress(lv);
        long rvalid = Bits.nullsAddress(rv);
        if (result == ColumnType.INT64 && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER)) {
            int row = rt == ColumnType.INT32
                    ? firstZeroInt32(rd, lvalid, rvalid, n)
                    : firstZeroInt64(rd, lvalid, rvalid, n);
            if (row >= 0) {
                throw new ArithmeticException(schema.describe(right) + ": division by zero at row " + row);
            }
        }
        if (n == 0) {
            out.setValueCount(0);
            return;
        }
        ensureCapacity(out, n);
        long o = out.getDataBufferAddress();
        result = inLoops(result);
        stageLeft(lv, lt, result, o, n);
        if (result == ColumnType.INT64) {
            if (rt == ColumnType.INT64) {
                longsByInt64(op, o, rd, n);
            } else {
                longsByInt32(op, o, rd, n);
            }
        } else {
            switch (rt) {
                case FLOAT64:
                    doublesByFloat64(op, o, rd, n);
                    break;
                case INT64:
                    doublesByInt64(op, o, rd, n);
                    break;
                default:
                    doublesByInt32(op, o, rd, n);
                    break;
            }
        }
        writeValidity(out, lvalid, rvalid, n);
        out.setValueCount(n);
    }

    /** {@code out[i] = left[i] OP constant}; int64 for an integer column, else float64. */
    public static void apply(RecordBatch batch, int left, ArithmeticOp op, long constant, FieldVector out) {
        ColumnType leftType = operand(batch, left);
        ColumnType result = resultType(leftType, op, ColumnType.INT64);
        if (outputType(out) != result) {
            throw wrongOutput(batch, left, op, "the constant " + constant, result, out);
        }
        ColumnType lt = inLoops(leftType);
        result = inLoops(result);
        if (result == ColumnType.INT64 && constant == 0
                && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER)) {
            throw new ArithmeticException(batch.schema().describe(left) + ": integer division by the constant 0");
        }
        int n = batch.rowCount();
        if (n == 0) {
            out.setValueCount(0);
            return;
        }
        FieldVector lv = batch.vector(left);
        long lvalid = Bits.nullsAddress(lv);
        ensureCapacity(out, n);
        long o = out.getDataBufferAddress();
        stageLeft(lv, lt, result, o, n);
        if (result == ColumnType.INT64) {
            longsByConstant(op, o, constant, n);
        } else {
            doublesByConstant(op, o, (double) constant, n);
        }
        writeValidity(out, lvalid, 0L, n);
        out.setValueCount(n);
    }

    /** {@code out[i] = left[i] OP constant}; always float64. */
    public static void apply(RecordBatch batch, int left, ArithmeticOp op, double constant, FieldVector out) {
        ColumnType lt = operand(batch, left);
        resultType(lt, op, ColumnType.FLOAT64);
        if (outputType(out) != ColumnType.FLOAT64) {
            throw wrongOutput(batch, left, op, "the constant " + constant, ColumnType.FLOAT64, out);
        }
        int n = batch.rowCount();
        if (n == 0) {
            out.setValueCount(0);
            return;
        }
        FieldVector lv = batch.vector(left);
        long lvalid = Bits.nullsAddress(lv);
        ensureCapacity(out, n);
        long o = out.getDataBufferAddress();
        stageLeft(lv, lt, ColumnType.FLOAT64, o, n);
        doublesByConstant(op, o, constant, n);
        writeValidity(out, lvalid, 0L, n);
        out.setValueCount(n);
    }

    private static ColumnType operand(RecordBatch batch, int column) {
        ColumnType type = batch.schema().column(column).type();
        if (!type.isNumeric() && type != ColumnType.TIMESTAMP_MS) {
            throw new IllegalArgumentException(batch.schema().describe(column)
                    + ": arithmetic needs an int32, int64, float64 or timestamp[ms] field");
        }
        return type;
    }

    /** The type the loops compute in: a timestamp's epoch milliseconds are int64. */
    private static ColumnType inLoops(ColumnType type) {
        return type == ColumnType.TIMESTAMP_MS ? ColumnType.INT64 : type;
    }

    private static ColumnType outputType(FieldVector out) {
        return ColumnType.fromArrow(out.getField().getType());
    }

    // The message is built only on failure: the operand descriptions would otherwise cost a String per batch.
    private static IllegalArgumentException wrongOutput(RecordBatch batch, int left, ArithmeticOp op, String right,
                                                        ColumnType result, FieldVector out) {
        return new IllegalArgumentException("the result of " + batch.schema().describe(left) + " " + op + " "
                + right + " is " + result + ", but the output vector holds " + outputType(out)
                + "; allocate it as ArithmeticKernel.resultType says");
    }

    /** The first row with a zero divisor and a non-null dividend, or -1: a null row's result is null anyway. */
    private static int firstZeroInt64(long divisors, long avalid, long bvalid, int n) {
        for (int i = 0; i < n; i++) {
            if (MemoryUtil.getLong(divisors + ((long) i << 3)) == 0L
                    && Bits.isValid(avalid, i) && Bits.isValid(bvalid, i)) {
                return i;
            }
        }
        return -1;
    }

    private static int firstZeroInt32(long divisors, long avalid, long bvalid, int n) {
        for (int i = 0; i < n; i++) {
            if (MemoryUtil.getInt(divisors + ((long) i << 2)) == 0
                    && Bits.isValid(avalid, i) && Bits.isValid(bvalid, i)) {
                return i;
            }
        }
        return -1;
    }

    private static void ensureCapacity(FieldVector out, int n) {
        if (out.getValueCapacity() < n) {
            out.clear();
            out.setInitialCapacity(n);
            out.allocateNew();
        }
    }

    /**
     * Writes the left operand, converted to the result type, into the output's data buffer, so that each
     * op needs one loop per type of right operand rather than one per pair of types.
     */
    private static void stageLeft(FieldVector left, ColumnType type, ColumnType result, long o, int n) {
        long from = left.getDataBufferAddress();
        if (type == result) {
            if (from != o) {
                MemoryUtil.copyMemory(from, o, (long) n << 3);
            }
        } else if (result == ColumnType.INT64) {
            for (int i = 0; i < n; i++) {
                MemoryUtil.putLong(o + ((long) i << 3), MemoryUtil.getInt(from + ((long) i << 2)));
            }
        } else if (type == ColumnType.INT32) {
            for (int i = 0; i < n; i++) {
                double value = MemoryUtil.getInt(from + ((long) i << 2));
                MemoryUtil.putLong(o + ((long) i << 3), Double.doubleToRawLongBits(value));
            }
        } else {
            for (int i = 0; i < n; i++) {
                long at = (long) i << 3;
                double value = MemoryUtil.getLong(from + at);
                MemoryUtil.putLong(o + at, Double.doubleToRawLongBits(value));
            }
        }
    }

    /** The output is valid where both operands are (an address of 0: no nulls). */
    private static void writeValidity(FieldVector out, long a, long b, int n) {
        long to = out.getValidityBufferAddress();
        int bytes = (n + 7) >>> 3;
        if (a == 0L && b == 0L) {
            MemoryUtil.setMemory(to, bytes, (byte) 0xFF);
        } else if (a == 0L || b == 0L) {
            long from = a == 0L ? b : a;
            if (from != to) {
                MemoryUtil.copyMemory(from, to, bytes);
            }
        } else {
            int i = 0;
            for (; i + 8 <= bytes; i += 8) {
                MemoryUtil.putLong(to + i, MemoryUtil.getLong(a + i) & MemoryUtil.getLong(b + i));
            }
            for (; i < bytes; i++) {
                MemoryUtil.putByte(to + i, (byte) (MemoryUtil.getByte(a + i) & MemoryUtil.getByte(b + i)));
            }
        }
    }

    // The loops below update the staged left operand in place: out[i] = out[i] OP right[i]. Integer
    // DIVIDE and REMAINDER can still meet a zero divisor, but only in a null row (the rest were rejected
    // before anything was written); dividing by 1 there avoids the exception, and the row stays null.

    private static void longsByInt64(ArithmeticOp op, long o, long r, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    MemoryUtil.putLong(o + at, MemoryUtil.getLong(o + at) + MemoryUtil.getLong(r + at));
                }
                break;
            case SUBTRACT:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    MemoryUtil.putLong(o + at, MemoryUtil.getLong(o + at) - MemoryUtil.getLong(r + at));
                }
                break;
            case MULTIPLY:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    MemoryUtil.putLong(o + at, MemoryUtil.getLong(o + at) * MemoryUtil.getLong(r + at));
                }
                break;
            case DIVIDE:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    long b = MemoryUtil.getLong(r + at);
                    MemoryUtil.putLong(o + at, MemoryUtil.getLong(o + at) / (b == 0L ? 1L : b));
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    long b = MemoryUtil.getLong(r + at);
                    MemoryUtil.putLong(o + at, MemoryUtil.getLong(o + at) % (b == 0L ? 1L : b));
                }
                break;
        }
    }

    private static void longsByInt32(ArithmeticOp op, long o, long r, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) + MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
            case SUBTRACT:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) - MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
            case MULTIPLY:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) * MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
            case DIVIDE:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    long b = MemoryUtil.getInt(r + ((long) i << 2));
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) / (b == 0L ? 1L : b));
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    long b = MemoryUtil.getInt(r + ((long) i << 2));
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) % (b == 0L ? 1L : b));
                }
                break;
        }
    }

    /** {@code c} is not 0 for DIVIDE and REMAINDER: rejected before. */
    private static void longsByConstant(ArithmeticOp op, long o, long c, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) + c);
                }
                break;
            case SUBTRACT:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) - c);
                }
                break;
            case MULTIPLY:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) * c);
                }
                break;
            case DIVIDE:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) / c);
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    MemoryUtil.putLong(at, MemoryUtil.getLong(at) % c);
                }
                break;
        }
    }

    private static void doublesByFloat64(ArithmeticOp op, long o, long r, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) + getDouble(r + at));
                }
                break;
            case SUBTRACT:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) - getDouble(r + at));
                }
                break;
            case MULTIPLY:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) * getDouble(r + at));
                }
                break;
            case DIVIDE:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) / getDouble(r + at));
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) % getDouble(r + at));
                }
                break;
        }
    }

    private static void doublesByInt64(ArithmeticOp op, long o, long r, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) + MemoryUtil.getLong(r + at));
                }
                break;
            case SUBTRACT:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) - MemoryUtil.getLong(r + at));
                }
                break;
            case MULTIPLY:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) * MemoryUtil.getLong(r + at));
                }
                break;
            case DIVIDE:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) / MemoryUtil.getLong(r + at));
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    long at = (long) i << 3;
                    putDouble(o + at, getDouble(o + at) % MemoryUtil.getLong(r + at));
                }
                break;
        }
    }

    private static void doublesByInt32(ArithmeticOp op, long o, long r, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) + MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
            case SUBTRACT:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) - MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
            case MULTIPLY:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) * MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
            case DIVIDE:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) / MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) % MemoryUtil.getInt(r + ((long) i << 2)));
                }
                break;
        }
    }

    private static void doublesByConstant(ArithmeticOp op, long o, double c, int n) {
        switch (op) {
            case ADD:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) + c);
                }
                break;
            case SUBTRACT:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) - c);
                }
                break;
            case MULTIPLY:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) * c);
                }
                break;
            case DIVIDE:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) / c);
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    long at = o + ((long) i << 3);
                    putDouble(at, getDouble(at) % c);
                }
                break;
        }
    }

    private static double getDouble(long address) {
        return Double.longBitsToDouble(MemoryUtil.getLong(address));
    }

    private static void putDouble(long address, double value) {
        MemoryUtil.putLong(address, Double.doubleToRawLongBits(value));
    }
}
