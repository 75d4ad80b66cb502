package io.riffle.columnar.kernel;

import java.nio.charset.StandardCharsets;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Comparisons producing selections: the rows where {@code column OP operand} holds, in ascending order.
 * {@code in} (null: all rows) restricts the rows tested, so filters chain; {@code in} and {@code out}
 * may be the same vector. Null values never match. Java semantics for doubles: NaN only satisfies NE,
 * -0.0 equals 0.0. Strings compare by their UTF-8 bytes, unsigned, which is code-point order.
 * Stateless; allocation-free once {@code out} is large enough.
 *
 * <pre>{@code
 * SelectionVector rows = new SelectionVector(1024);
 * CompareKernel.compare(batch, price, CompareOp.GT, 100.0, null, rows);   // price > 100
 * CompareKernel.compare(batch, qty, CompareOp.LE, 5L, rows, rows);        // ... and qty <= 5
 * }</pre>
 */
public final class CompareKernel {
    private CompareKernel() {
    }

    /** {@code column OP constant} for int32, int64 and timestamp[ms] columns; returns the rows selected. */
    public static int compare(RecordBatch batch, int column, CompareOp op, long constant, SelectionVector in,
                              SelectionVector out) {
        ColumnType type = batch.schema().column(column).type();
        if (!type.isIntegral()) {
            throw new IllegalArgumentException(batch.schema().describe(column)
                    + ": comparison with an integer needs an int32, int64 or timestamp[ms] field");
        }
        FieldVector v = batch.vector(column);
        long data = v.getDataBufferAddress();
        long validity = Bits.nullsAddress(v);
        boolean int32 = type == ColumnType.INT32;
        // Every integer comparison is a range test [lo, hi], possibly negated (NE).
        long lo = Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        boolean negate = false;
        boolean none = false;
        switch (op) {
            case EQ: lo = constant; hi = constant; break;
            case NE: lo = constant; hi = constant; negate = true; break;
            case LT: none = constant == Long.MIN_VALUE; hi = constant - 1; break;
            case LE: hi = constant; break;
            case GT: none = constant == Long.MAX_VALUE; lo = constant + 1; break;
            default: lo = constant; break;
        }
        int n = prepare(batch, in, out);
        int[] rows = out.rows();
        int[] source = in == null ? null : in.rows();
        int k = 0;
        if (!none) {
            for (int j = 0; j < n; j++) {
                int i = source == null ? j : source[j];
                long value = int32 ? MemoryUtil.getInt(data + ((long) i << 2)) : MemoryUtil.getLong(data + ((long) i << 3));
                boolean keep = ((value >= lo & value <= hi) != negate) & Bits.isValid(validity, i);
                rows[k] = i;
                k += keep ? 1 : 0;
            }
        }
        out.setSize(k);
        return k;
    }

    /** {@code column OP constant} for int32, int64 and float64 columns, compared as doubles. */
    public static int compare(RecordBatch batch, int column, CompareOp op, double constant, SelectionVector in,
                              SelectionVector out) {
        ColumnType type = batch.schema().column(column).type();
        if (!type.isNumeric()) {
            throw new IllegalArgumentException(batch.schema().describe(column)
                    + ": comparison with a number needs an int32, int64 or float64 field");
        }
        FieldVector v = batch.vector(column);
        long data = v.getDataBufferAddress();
        long validity = Bits.nullsAddress(v);
        int width = type == ColumnType.INT32 ? 4 : 8;
        boolean isDouble = type == ColumnType.FLOAT64;
        int n = prepare(batch, in, out);
        int[] rows = out.rows();
        int[] source = in == null ? null : in.rows();
        int k = 0;
        for (int j = 0; j < n; j++) {
            int i = source == null ? j : source[j];
            double value = isDouble ? Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3)))
                    : width == 4 ? MemoryUtil.getInt(data + ((long) i << 2)) : (double) MemoryUtil.getLong(data + ((long) i << 3));
            boolean keep = test(op, value, constant) & Bits.isValid(validity, i);
            rows[k] = i;
            k += keep ? 1 : 0;
        }
        out.setSize(k);
        return k;
    }

    /** {@code column OP constant} for utf8 columns. */
    public static int compare(RecordBatch batch, int column, CompareOp op, String constant, SelectionVector in,
                              SelectionVector out) {
        if (batch.schema().column(column).type() != ColumnType.UTF8) {
            throw new IllegalArgumentException(batch.schema().describe(column)
                    + ": comparison with a string needs a utf8 field");
        }
        byte[] c = constant.getBytes(StandardCharsets.UTF_8);
        FieldVector v = batch.vector(column);
        long offsets = v.getOffsetBufferAddress();
        long data = v.getDataBufferAddress();
        long validity = Bits.nullsAddress(v);
        int n = prepare(batch, in, out);
        int[] rows = out.rows();
        int[] source = in == null ? null : in.rows();
        int k = 0;
        for (int j = 0; j < n; j++) {
            int i = source == null ? j : source[j];
            int start = MemoryUtil.getInt(offsets + ((long) i << 2));
            int end = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2));
            int cmp = compareBytes(data + start, end - start, c);
            boolean keep = (cmp < 0 ? op.less : cmp == 0 ? op.equal : op.greater) & Bits.isValid(validity, i);
            rows[k] = i;
            k += keep ? 1 : 0;
        }
        out.setSize(k);
        return k;
    }

    /** {@code left OP right} for two numeric columns: as longs when both are integers, else as doubles. */
    public static int compareColumns(RecordBatch batch, int left, CompareOp op, int right, SelectionVector in,
                                     SelectionVector out) {
        ColumnType lt = batch.schema().column(left).type();
        ColumnType rt = batch.schema().column(right).type();
        if (!lt.isNumeric() || !rt.isNumeric()) {
            int bad = lt.isNumeric() ? right : left;
            throw new IllegalArgumentException(batch.schema().describe(bad)
                    + ": comparing two columns needs int32, int64 or float64 fields");
        }
        FieldVector lv = batch.vector(left);
        FieldVector rv = batch.vector(right);
        long ld = lv.getDataBufferAddress();
        long rd = rv.getDataBufferAddress();
        long lvalid = Bits.nullsAddress(lv);
        long rvalid = Bits.nullsAddress(rv);
        boolean integral = lt != ColumnType.FLOAT64 && rt != ColumnType.FLOAT64;
        int n = prepare(batch, in, out);
        int[] rows = out.rows();
        int[] source = in == null ? null : in.rows();
        int k = 0;
        for (int j = 0; j < n; j++) {
            int i = source == null ? j : source[j];
            boolean keep;
            if (integral) {
                int cmp = Long.compare(Operands.readLong(ld, lt, i), Operands.readLong(rd, rt, i));
                keep = cmp < 0 ? op.less : cmp == 0 ? op.equal : op.greater;
            } else {
                keep = test(op, Operands.readDouble(ld, lt, i), Operands.readDouble(rd, rt, i));
            }
            rows[k] = i;
            k += (keep & Bits.isValid(lvalid, i) & Bits.isValid(rvalid, i)) ? 1 : 0;
        }
        out.setSize(k);
        return k;
    }

    /** The rows whose value of {@code column} is null. */
    public static int isNull(RecordBatch batch, int column, SelectionVector in, SelectionVector out) {
        return nulls(batch, column, in, out, true);
    }

    /** The rows whose value of {@code column} is not null. */
    public static int isNotNull(RecordBatch batch, int column, SelectionVector in, SelectionVector out) {
        return nulls(batch, column, in, out, false);
    }

    private static int nulls(RecordBatch batch, int column, SelectionVector in, SelectionVector out, boolean wanted) {
        long validity = Bits.nullsAddress(batch.vector(column));
        int n = prepare(batch, in, out);
        int[] rows = out.rows();
        int[] source = in == null ? null : in.rows();
        int k = 0;
        for (int j = 0; j < n; j++) {
            int i = source == null ? j : source[j];
            rows[k] = i;
            k += (!Bits.isValid(validity, i) == wanted) ? 1 : 0;
        }
        out.setSize(k);
        return k;
    }

    /** Java's {@code <, <=, ==, !=, >=, >} on doubles; a NaN operand only satisfies NE. */
    private static boolean test(CompareOp op, double a, double b) {
        boolean lt = a < b;
        boolean gt = a > b;
        boolean eq = a == b;
        return (op.less & lt) | (op.greater & gt) | (op.equal & eq) | (op == CompareOp.NE & !lt & !gt & !eq);
    }

    private static int compareBytes(long address, int length, byte[] constant) {
        int common = Math.min(length, constant.length);
        for (int i = 0; i < common; i++) {
            int a = MemoryUtil.getByte(address + i) & 0xFF;
            int b = constant[i] & 0xFF;
            if (a != b) {
                return a - b;
            }
        }
        return length - constant.length;
    }

    /** Rows to test; makes room in {@code out} (which may be {@code in}). */
    private static int prepare(RecordBatch batch, SelectionVector in, SelectionVector out) {
        int n = in == null ? batch.rowCount() : in.size();
        out.ensureCapacity(n);
        return n;
    }
}
