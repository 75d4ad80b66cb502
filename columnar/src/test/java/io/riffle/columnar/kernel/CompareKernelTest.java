package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.batch.SelectionVector;
import org.junit.jupiter.api.Test;

class CompareKernelTest extends ArrowTest {
    private static final int SEEDS = 60;

    /** The plain-Java answer for one row's non-null value. */
    interface Expected {
        boolean test(Object value);
    }

    @Test
    void selectsRowsMatchingAnIntegerConstantSkippingNulls() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (int column : new int[] {RandomBatches.I32, RandomBatches.I64, RandomBatches.TS,
                    RandomBatches.N, RandomBatches.M}) {
                    for (CompareOp op : CompareOp.values()) {
                        long c = RandomBatches.someLong(r);
                        SelectionVector in = RandomBatches.nullOrSubset(r, batch.rowCount());
                        List<Integer> want = reference(batch, column, in, v -> longTest(op, ((Number) v).longValue(), c));
                        SelectionVector out = output(r, in);
                        int n = CompareKernel.compare(batch, column, op, c, in, out);
                        String where = "seed " + seed + ": " + batch.schema().describe(column) + " " + op + " " + c;
                        assertEquals(want, RandomBatches.list(out), where);
                        assertEquals(want.size(), n, where);
                    }
                }
            }
        }
    }

    @Test
    void selectsRowsMatchingADoubleConstantWithJavaSemanticsForNaNAndNegativeZero() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (int column : RandomBatches.NUMERIC) {
                    for (CompareOp op : CompareOp.values()) {
                        double c = RandomBatches.someDouble(r);
                        SelectionVector in = RandomBatches.nullOrSubset(r, batch.rowCount());
                        List<Integer> want = reference(batch, column, in,
                            v -> doubleTest(op, ((Number) v).doubleValue(), c));
                        SelectionVector out = output(r, in);
                        int n = CompareKernel.compare(batch, column, op, c, in, out);
                        String where = "seed " + seed + ": " + batch.schema().describe(column) + " " + op + " " + c;
                        assertEquals(want, RandomBatches.list(out), where);
                        assertEquals(want.size(), n, where);
                    }
                }
            }
        }
    }

    @Test
    void selectsStringsInCodePointOrderOfTheirUtf8Bytes() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (CompareOp op : CompareOp.values()) {
                    String c = RandomBatches.someString(r);
                    int[] cp = c.codePoints().toArray();
                    SelectionVector in = RandomBatches.nullOrSubset(r, batch.rowCount());
                    // The reference orders by code points, independently of the kernel's byte order.
                    List<Integer> want = reference(batch, RandomBatches.S, in,
                        v -> longTest(op, Integer.signum(Arrays.compare(((String) v).codePoints().toArray(), cp)), 0));
                    String where = "seed " + seed + ": " + op + " '" + c + "'";
                    SelectionVector first = RandomBatches.copy(in);
                    SelectionVector out = output(r, first);
                    CompareKernel.compare(batch, RandomBatches.S, op, c, first, out);
                    assertEquals(want, RandomBatches.list(out), where);
                    SelectionVector bytes = output(r, in);
                    CompareKernel.compareUtf8(batch, RandomBatches.S, op, c.getBytes(StandardCharsets.UTF_8), in, bytes);
                    assertEquals(want, RandomBatches.list(bytes), where + " (as bytes)");
                }
            }
        }
    }

    @Test
    void ordersByCodePointWhereUtf16OrderDiffers() {
        BatchSchema schema = BatchSchema.of(Column.of("s", ColumnType.UTF8));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {"\uFF61"},
                new Object[] {"\uD83D\uDE00"}, new Object[] {""})) {
            SelectionVector out = new SelectionVector(1);
            // U+FF61 < U+1F600, though as UTF-16 "\uFF61" sorts after the surrogate pair "\uD83D\uDE00".
            CompareKernel.compare(batch, 0, CompareOp.LT, "\uD83D\uDE00", null, out);
            assertEquals(List.of(0, 2), RandomBatches.list(out));
            CompareKernel.compare(batch, 0, CompareOp.EQ, "", null, out);
            assertEquals(List.of(2), RandomBatches.list(out));
        }
    }

    @Test
    void comparesTwoColumnsAsLongsWhenBothAreIntegersElseAsDoubles() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (int left : RandomBatches.NUMERIC) {
                    for (int right : RandomBatches.NUMERIC) {
                        for (CompareOp op : CompareOp.values()) {
                            SelectionVector in = RandomBatches.nullOrSubset(r, batch.rowCount());
                            List<Integer> want = new ArrayList<>();
                            for (int i : RandomBatches.rowsOf(batch, in)) {
                                Object a = batch.value(i, left);
                                Object b = batch.value(i, right);
                                if (a != null && b != null && (a instanceof Double || b instanceof Double
                                        ? doubleTest(op, ((Number) a).doubleValue(), ((Number) b).doubleValue())
                                        : longTest(op, ((Number) a).longValue(), ((Number) b).longValue()))) {
                                    want.add(i);
                                }
                            }
                            SelectionVector out = output(r, in);
                            int n = CompareKernel.compareColumns(batch, left, op, right, in, out);
                            String where = "seed " + seed + ": " + batch.schema().describe(left) + " " + op + " "
                                    + batch.schema().describe(right);
                            assertEquals(want, RandomBatches.list(out), where);
                            assertEquals(want.size(), n, where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void selectsExactlyTheNullOrNonNullRows() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (int column = 0; column < batch.columnCount(); column++) {
                    SelectionVector in = RandomBatches.nullOrSubset(r, batch.rowCount());
                    List<Integer> nulls = new ArrayList<>();
                    List<Integer> values = new ArrayList<>();
                    for (int i : RandomBatches.rowsOf(batch, in)) {
                        (batch.value(i, column) == null ? nulls : values).add(i);
                    }
                    String where = "seed " + seed + ": " + batch.schema().describe(column);
                    SelectionVector out = new SelectionVector(1);
                    assertEquals(nulls.size(), CompareKernel.isNull(batch, column, in, out), where);
                    assertEquals(nulls, RandomBatches.list(out), where);
                    assertEquals(values.size(), CompareKernel.isNotNull(batch, column, in, out), where);
                    assertEquals(values, RandomBatches.list(out), where);
                }
            }
        }
    }

    @Test
    void refinesASelectionInPlaceAcrossChainedFilters() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(500))) {
                long a = RandomBatches.someLong(r);
                double b = RandomBatches.someDouble(r);
                String c = RandomBatches.someString(r);
                SelectionVector rows = new SelectionVector(1);
                CompareKernel.compare(batch, RandomBatches.I64, CompareOp.GE, a, null, rows);
                CompareKernel.compare(batch, RandomBatches.F64, CompareOp.NE, b, rows, rows);
                CompareKernel.compare(batch, RandomBatches.S, CompareOp.LE, c, rows, rows);
                CompareKernel.compareColumns(batch, RandomBatches.M, CompareOp.LT, RandomBatches.N, rows, rows);
                CompareKernel.isNotNull(batch, RandomBatches.TS, rows, rows);
                List<Integer> want = new ArrayList<>();
                for (int i = 0; i < batch.rowCount(); i++) {
                    Long x = (Long) batch.value(i, RandomBatches.I64);
                    Double y = (Double) batch.value(i, RandomBatches.F64);
                    String s = (String) batch.value(i, RandomBatches.S);
                    if (x != null && x >= a && y != null && y != b && s != null
                            && Arrays.compare(s.codePoints().toArray(), c.codePoints().toArray()) <= 0
                            && (Integer) batch.value(i, RandomBatches.M) < (Long) batch.value(i, RandomBatches.N)
                            && batch.value(i, RandomBatches.TS) != null) {
                        want.add(i);
                    }
                }
                assertEquals(want, RandomBatches.list(rows), "seed " + seed);
            }
        }
    }

    @Test
    void handlesConstantsAtTheEndsOfTheLongAndDoubleRanges() {
        BatchSchema schema = BatchSchema.of(Column.of("l", ColumnType.INT64), Column.of("d", ColumnType.FLOAT64));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                new Object[] {Long.MIN_VALUE, Double.NEGATIVE_INFINITY}, new Object[] {0L, -0.0},
                new Object[] {Long.MAX_VALUE, Double.POSITIVE_INFINITY}, new Object[] {1L, Double.NaN},
                new Object[] {-1L, 0.0})) {
            SelectionVector out = new SelectionVector(1);
            long[] longs = {Long.MIN_VALUE, Long.MAX_VALUE, 0, -1};
            double[] doubles = {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 0.0, -0.0, Double.NaN,
                Double.MAX_VALUE, -Double.MIN_VALUE};
            for (CompareOp op : CompareOp.values()) {
                for (long c : longs) {
                    CompareKernel.compare(batch, 0, op, c, null, out);
                    assertEquals(reference(batch, 0, null, v -> longTest(op, (Long) v, c)), RandomBatches.list(out),
                            op + " " + c);
                }
                for (double c : doubles) {
                    CompareKernel.compare(batch, 1, op, c, null, out);
                    assertEquals(reference(batch, 1, null, v -> doubleTest(op, (Double) v, c)), RandomBatches.list(out),
                            op + " " + c);
                }
            }
            CompareKernel.compare(batch, 1, CompareOp.NE, Double.NaN, null, out);
            assertEquals(List.of(0, 1, 2, 3, 4), RandomBatches.list(out), "everything differs from NaN, even NaN");
            CompareKernel.compare(batch, 1, CompareOp.EQ, 0.0, null, out);
            assertEquals(List.of(1, 4), RandomBatches.list(out), "-0.0 == 0.0");
            CompareKernel.compareColumns(batch, 1, CompareOp.EQ, 1, null, out);
            assertEquals(List.of(0, 1, 2, 4), RandomBatches.list(out), "NaN != NaN");
        }
    }

    /** Two timestamp[ms] columns compare as their epoch milliseconds; a null never selects. */
    @Test
    void timestampColumnsCompareAsMilliseconds() {
        BatchSchema schema = BatchSchema.of(Column.nullable("t", ColumnType.TIMESTAMP_MS),
                Column.of("u", ColumnType.TIMESTAMP_MS));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {-5L, 3L},
                new Object[] {null, 3L}, new Object[] {3L, 3L}, new Object[] {Long.MAX_VALUE, Long.MIN_VALUE})) {
            SelectionVector out = new SelectionVector(4);
            CompareKernel.compareColumns(batch, 0, CompareOp.LT, 1, null, out);
            assertEquals(List.of(0), RandomBatches.list(out));
            CompareKernel.compareColumns(batch, 0, CompareOp.GE, 1, null, out);
            assertEquals(List.of(2, 3), RandomBatches.list(out));
        }
    }

    @Test
    void selectsNothingFromAnEmptyBatchOrAnEmptySelection() {
        try (RecordBatch empty = RandomBatches.create(allocator, new Random(1), 0);
             RecordBatch batch = RandomBatches.create(allocator, new Random(2), 50)) {
            SelectionVector none = new SelectionVector(4);
            for (RecordBatch b : new RecordBatch[] {empty, batch}) {
                SelectionVector in = b == empty ? null : none;
                SelectionVector out = new SelectionVector(1);
                assertEquals(0, CompareKernel.compare(b, RandomBatches.I64, CompareOp.NE, 3L, in, out));
                assertEquals(0, CompareKernel.compare(b, RandomBatches.F64, CompareOp.NE, 3.0, in, out));
                assertEquals(0, CompareKernel.compare(b, RandomBatches.S, CompareOp.NE, "x", in, out));
                assertEquals(0, CompareKernel.compareColumns(b, RandomBatches.N, CompareOp.LE, RandomBatches.F64, in, out));
                assertEquals(0, CompareKernel.isNull(b, RandomBatches.B, in, out));
                assertEquals(0, CompareKernel.isNotNull(b, RandomBatches.B, in, out));
                assertEquals(0, out.size());
            }
        }
    }

    @Test
    void reusesTheOutputSelectionOnceItIsLargeEnough() {
        try (RecordBatch batch = RandomBatches.create(allocator, new Random(3), 400)) {
            SelectionVector out = new SelectionVector(1);
            CompareKernel.compare(batch, RandomBatches.N, CompareOp.NE, 12345L, null, out);
            assertEquals(400, out.size(), "int64 column n has no nulls and no 12345");
            int[] grown = out.rows();
            for (CompareOp op : CompareOp.values()) {
                CompareKernel.compare(batch, RandomBatches.I32, op, 1L, null, out);
                CompareKernel.compare(batch, RandomBatches.F64, op, 1.0, out, out);
                CompareKernel.compareColumns(batch, RandomBatches.I64, op, RandomBatches.M, null, out);
                CompareKernel.compare(batch, RandomBatches.S, op, "ab", null, out);
                assertSame(grown, out.rows(), op.toString());
            }
        }
    }

    @Test
    void namesTheFieldWhenItsTypeDoesNotFit() {
        try (RecordBatch batch = RandomBatches.create(allocator, new Random(1), 3)) {
            SelectionVector out = new SelectionVector(1);
            assertEquals("field 3 ('s', utf8): comparison with a number needs an int32, int64 or float64 field",
                    assertThrows(IllegalArgumentException.class,
                        () -> CompareKernel.compare(batch, RandomBatches.S, CompareOp.GT, 1.0, null, out)).getMessage());
            assertEquals("field 4 ('ts', timestamp[ms]): comparison with a number needs an int32, int64 or float64 "
                    + "field", assertThrows(IllegalArgumentException.class,
                        () -> CompareKernel.compare(batch, RandomBatches.TS, CompareOp.GT, 1.5, null, out)).getMessage());
            assertEquals("field 2 ('f64', float64): comparison with an integer needs an int32, int64 or timestamp[ms] "
                    + "field; compare a float64 field with a double constant", assertThrows(IllegalArgumentException.class,
                        () -> CompareKernel.compare(batch, RandomBatches.F64, CompareOp.GT, 1L, null, out)).getMessage());
            assertEquals("field 5 ('b', bool): comparison with an integer needs an int32, int64 or timestamp[ms] field",
                    assertThrows(IllegalArgumentException.class,
                        () -> CompareKernel.compare(batch, RandomBatches.B, CompareOp.EQ, 1L, null, out)).getMessage());
            assertEquals("field 1 ('i64', int64): comparison with a string needs a utf8 field",
                    assertThrows(IllegalArgumentException.class,
                        () -> CompareKernel.compare(batch, RandomBatches.I64, CompareOp.EQ, "x", null, out)).getMessage());
            assertEquals("field 0 ('i32', int32): comparison with a string needs a utf8 field",
                    assertThrows(IllegalArgumentException.class, () -> CompareKernel.compareUtf8(batch, RandomBatches.I32,
                        CompareOp.EQ, new byte[0], null, out)).getMessage());
            assertEquals("field 5 ('b', bool): comparing two columns needs int32, int64, float64 or timestamp[ms] fields",
                    assertThrows(IllegalArgumentException.class, () -> CompareKernel.compareColumns(batch,
                        RandomBatches.I64, CompareOp.EQ, RandomBatches.B, null, out)).getMessage());
            assertEquals("field 4 ('ts', timestamp[ms]): a timestamp[ms] column compares only with a timestamp[ms] column",
                    assertThrows(IllegalArgumentException.class, () -> CompareKernel.compareColumns(batch,
                        RandomBatches.TS, CompareOp.EQ, RandomBatches.I64, null, out)).getMessage());
            assertEquals("field index 9 is out of range: the schema has 8 fields (i32: int32, i64: int64, f64: float64, "
                    + "s: utf8, ts: timestamp[ms], b: bool, n: int64, m: int32)",
                    assertThrows(IllegalArgumentException.class,
                        () -> CompareKernel.isNull(batch, 9, null, out)).getMessage());
        }
    }

    @Test
    void rejectsASelectionMadeForALargerBatch() {
        try (RecordBatch batch = RandomBatches.create(allocator, new Random(1), 5)) {
            SelectionVector in = new SelectionVector(3);
            in.rows()[0] = 1;
            in.rows()[1] = 4;
            in.rows()[2] = 7;
            in.setSize(3);
            SelectionVector out = new SelectionVector(1);
            assertEquals("the input selection names rows 1 to 7 but the batch has 5 rows; was it made for another batch?",
                    assertThrows(IllegalArgumentException.class,
                        () -> CompareKernel.compare(batch, RandomBatches.N, CompareOp.GT, 0L, in, out)).getMessage());
            assertEquals(0, out.size(), "nothing selected");
        }
    }

    /** Where the kernel writes: half the time a fresh vector, half the time {@code in} itself (in place). */
    private static SelectionVector output(Random r, SelectionVector in) {
        return in != null && r.nextBoolean() ? in : new SelectionVector(1 + r.nextInt(8));
    }

    private static List<Integer> reference(RecordBatch batch, int column, SelectionVector in, Expected expected) {
        List<Integer> want = new ArrayList<>();
        for (int i : RandomBatches.rowsOf(batch, in)) {
            Object v = RandomBatches.value(batch, i, column);
            if (v != null && expected.test(v)) {
                want.add(i);
            }
        }
        return want;
    }

    private static boolean longTest(CompareOp op, long a, long b) {
        switch (op) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            default: return a >= b;
        }
    }

    private static boolean doubleTest(CompareOp op, double a, double b) {
        switch (op) {
            case EQ: return a == b;
            case NE: return a != b;
            case LT: return a < b;
            case LE: return a <= b;
            case GT: return a > b;
            default: return a >= b;
        }
    }
}
