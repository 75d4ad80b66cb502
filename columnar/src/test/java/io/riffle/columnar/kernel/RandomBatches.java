package io.riffle.columnar.kernel;

import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.memory.BufferAllocator;

/** Random batches with nulls and edge values in every column type, for reference tests of the kernels. */
final class RandomBatches {
    static final BatchSchema SCHEMA = BatchSchema.of(Column.nullable("i32", ColumnType.INT32),
            Column.nullable("i64", ColumnType.INT64), Column.nullable("f64", ColumnType.FLOAT64),
            Column.nullable("s", ColumnType.UTF8), Column.nullable("ts", ColumnType.TIMESTAMP_MS),
            Column.nullable("b", ColumnType.BOOL), Column.of("n", ColumnType.INT64));
    static final int I32 = 0;
    static final int I64 = 1;
    static final int F64 = 2;
    static final int S = 3;
    static final int TS = 4;
    static final int B = 5;
    static final int N = 6;

    private static final long[] LONG_EDGES = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1, 1};
    private static final int[] INT_EDGES = {Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1, 1};
    private static final double[] DOUBLE_EDGES = {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -1.5};
    private static final String[] STRINGS = {"", "a", "ab", "b", "apple", "Äpfel", "日本", "z", "ключ", "\uD83D\uDE00"};

    private RandomBatches() {
    }

    static RecordBatch create(BufferAllocator allocator, Random r, int rows) {
        Object[][] data = new Object[rows][];
        for (int i = 0; i < rows; i++) {
            data[i] = new Object[] {
                nullOr(r, r.nextInt(5) == 0 ? INT_EDGES[r.nextInt(INT_EDGES.length)] : r.nextInt(21) - 10),
                nullOr(r, r.nextInt(5) == 0 ? LONG_EDGES[r.nextInt(LONG_EDGES.length)] : (long) r.nextInt(21) - 10),
                nullOr(r, r.nextInt(5) == 0 ? DOUBLE_EDGES[r.nextInt(DOUBLE_EDGES.length)] : (r.nextInt(41) - 20) / 2.0),
                nullOr(r, STRINGS[r.nextInt(STRINGS.length)]),
                nullOr(r, (long) r.nextInt(1000)),
                nullOr(r, r.nextBoolean()),
                (long) r.nextInt(100),
            };
        }
        return RecordBatchBuilder.fromRows(SCHEMA, allocator, data);
    }

    /** A random ascending subset of {@code 0 .. rows - 1}. */
    static SelectionVector subset(Random r, int rows) {
        SelectionVector s = new SelectionVector(rows);
        int k = 0;
        for (int i = 0; i < rows; i++) {
            if (r.nextBoolean()) {
                s.rows()[k++] = i;
            }
        }
        s.setSize(k);
        return s;
    }

    static long someLong(Random r) {
        return r.nextInt(3) == 0 ? LONG_EDGES[r.nextInt(LONG_EDGES.length)] : r.nextInt(21) - 10;
    }

    static double someDouble(Random r) {
        return r.nextInt(3) == 0 ? DOUBLE_EDGES[r.nextInt(DOUBLE_EDGES.length)] : (r.nextInt(41) - 20) / 2.0;
    }

    static String someString(Random r) {
        return STRINGS[r.nextInt(STRINGS.length)];
    }

    private static Object nullOr(Random r, Object value) {
        return r.nextInt(8) == 0 ? null : value;
    }
}
