package io.riffle.columnar.kernel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Random batches with nulls and edge values in every column type, for reference tests of the kernels.
 * Small values dominate so that comparisons find equal values; each batch draws its own null rate, from
 * none (the kernels' no-null paths) to almost all.
 */
final class RandomBatches {
    static final BatchSchema SCHEMA = BatchSchema.of(Column.nullable("i32", ColumnType.INT32),
            Column.nullable("i64", ColumnType.INT64), Column.nullable("f64", ColumnType.FLOAT64),
            Column.nullable("s", ColumnType.UTF8), Column.nullable("ts", ColumnType.TIMESTAMP_MS),
            Column.nullable("b", ColumnType.BOOL), Column.of("n", ColumnType.INT64), Column.of("m", ColumnType.INT32));
    static final int I32 = 0;
    static final int I64 = 1;
    static final int F64 = 2;
    static final int S = 3;
    static final int TS = 4;
    static final int B = 5;
    /** Non-nullable int64. */
    static final int N = 6;
    /** Non-nullable int32. */
    static final int M = 7;
    /** The numeric columns, nullable and not. */
    static final int[] NUMERIC = {I32, I64, F64, N, M};

    static final long[] LONG_EDGES = {Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, 0, -1, 1,
        Integer.MIN_VALUE, Integer.MAX_VALUE, (1L << 53) + 1, -(1L << 53) - 1};
    static final int[] INT_EDGES = {Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MIN_VALUE + 1, 0, -1, 1};
    static final double[] DOUBLE_EDGES = {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 0x1p53, 0x1p63, -0x1p63, -1.5, 0.5};
    /**
     * Empty, prefixes of each other, multi-byte, a combining mark, NUL, and U+FF61 against U+1F600: UTF-16
     * (String.compareTo) orders those two the other way round from code points.
     */
    static final String[] STRINGS = {"", "a", "ab", "abc", "b", "apple", "Äpfel", "é", "e\u0301", "日本", "ключ",
        "\uFF61", "\uD83D\uDE00", "\uD83D\uDE00x", "\u0000", "z", "zz"};

    private RandomBatches() {
    }

    static RecordBatch create(BufferAllocator allocator, Random r, int rows) {
        double[] nullRates = {0.0, 0.1, 0.5, 0.95};
        double nullRate = nullRates[r.nextInt(nullRates.length)];
        Object[][] data = new Object[rows][];
        for (int i = 0; i < rows; i++) {
            data[i] = new Object[] {
                nullOr(r, nullRate, someInt(r)),
                nullOr(r, nullRate, someLong(r)),
                nullOr(r, nullRate, someDouble(r)),
                nullOr(r, nullRate, someString(r)),
                nullOr(r, nullRate, someLong(r)),
                nullOr(r, nullRate, r.nextBoolean()),
                someLong(r),
                someInt(r),
            };
        }
        return RecordBatchBuilder.fromRows(SCHEMA, allocator, data);
    }

    /** A random ascending subset of {@code 0 .. rows - 1}, of a random density. */
    static SelectionVector subset(Random r, int rows) {
        SelectionVector s = new SelectionVector(rows);
        double density = r.nextDouble();
        int k = 0;
        for (int i = 0; i < rows; i++) {
            if (r.nextDouble() < density) {
                s.rows()[k++] = i;
            }
        }
        s.setSize(k);
        return s;
    }

    /** {@code null} (all rows) or a random subset, half the time each. */
    static SelectionVector nullOrSubset(Random r, int rows) {
        return r.nextBoolean() ? null : subset(r, rows);
    }

    static int someInt(Random r) {
        return r.nextInt(5) == 0 ? INT_EDGES[r.nextInt(INT_EDGES.length)] : r.nextInt(21) - 10;
    }

    static long someLong(Random r) {
        return r.nextInt(5) == 0 ? LONG_EDGES[r.nextInt(LONG_EDGES.length)] : r.nextInt(21) - 10;
    }

    static double someDouble(Random r) {
        return r.nextInt(5) == 0 ? DOUBLE_EDGES[r.nextInt(DOUBLE_EDGES.length)] : (r.nextInt(41) - 20) / 2.0;
    }

    static String someString(Random r) {
        if (r.nextInt(4) == 0) {
            StringBuilder sb = new StringBuilder();
            int length = r.nextInt(5);
            for (int i = 0; i < length; i++) {
                sb.append("ab\u00E9\u65E5".charAt(r.nextInt(4)));
            }
            return sb.toString();
        }
        return STRINGS[r.nextInt(STRINGS.length)];
    }

    /** The value at {@code row}: Integer, Long (timestamps too), Double, Boolean, String, or null. */
    static Object value(RecordBatch batch, int row, int column) {
        Object v = batch.value(row, column);
        return v instanceof Instant ? (Object) ((Instant) v).toEpochMilli() : v;
    }

    /** The rows a kernel should test: those of {@code in}, or all. */
    static int[] rowsOf(RecordBatch batch, SelectionVector in) {
        return rowsOf(batch.rowCount(), in);
    }

    static int[] rowsOf(int rowCount, SelectionVector in) {
        int n = in == null ? rowCount : in.size();
        int[] rows = new int[n];
        for (int j = 0; j < n; j++) {
            rows[j] = in == null ? j : in.get(j);
        }
        return rows;
    }

    static List<Integer> list(SelectionVector s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            out.add(s.get(i));
        }
        return out;
    }

    /** A copy, so that a kernel writing into {@code s} in place does not change the reference's input. */
    static SelectionVector copy(SelectionVector s) {
        if (s == null) {
            return null;
        }
        SelectionVector c = new SelectionVector(s.size());
        System.arraycopy(s.rows(), 0, c.rows(), 0, s.size());
        c.setSize(s.size());
        return c;
    }

    private static Object nullOr(Random r, double nullRate, Object value) {
        return r.nextDouble() < nullRate ? null : value;
    }
}
