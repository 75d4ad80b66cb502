package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import io.riffle.columnar.ArrowTest;
import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.junit.jupiter.api.Test;

class ArithmeticKernelTest extends ArrowTest {
    private static final int SEEDS = 40;

    @Test
    void combinesTwoColumnsLikeJavaWithNullsPropagating() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300));
                 BigIntVector longs = new BigIntVector("out", allocator);
                 Float8Vector doubles = new Float8Vector("out", allocator)) {
                for (int left : RandomBatches.NUMERIC) {
                    for (int right : RandomBatches.NUMERIC) {
                        ColumnType type = ArithmeticKernel.resultType(batch.schema().column(left).type(),
                                batch.schema().column(right).type());
                        FieldVector out = type == ColumnType.INT64 ? longs : doubles;
                        for (ArithmeticOp op : ArithmeticOp.values()) {
                            String where = "seed " + seed + ": " + batch.schema().describe(left) + " " + op + " "
                                    + batch.schema().describe(right);
                            int zeroRow = type == ColumnType.INT64 ? firstZeroDivisor(batch, op, left, right) : -1;
                            if (zeroRow >= 0) {
                                int before = out.getValueCount();
                                assertEquals(batch.schema().describe(right) + ": division by zero at row " + zeroRow,
                                        assertThrows(ArithmeticException.class,
                                            () -> ArithmeticKernel.apply(batch, left, op, right, out)).getMessage(),
                                        where);
                                assertEquals(before, out.getValueCount(), where + ": nothing written");
                                continue;
                            }
                            ArithmeticKernel.apply(batch, left, op, right, out);
                            assertEquals(batch.rowCount(), out.getValueCount(), where);
                            for (int i = 0; i < batch.rowCount(); i++) {
                                assertEquals(expected(type, op, batch.value(i, left), batch.value(i, right)),
                                        out.getObject(i), where + ", row " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void combinesAColumnWithALongConstant() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300));
                 BigIntVector longs = new BigIntVector("out", allocator);
                 Float8Vector doubles = new Float8Vector("out", allocator)) {
                for (int left : RandomBatches.NUMERIC) {
                    ColumnType type = ArithmeticKernel.resultType(batch.schema().column(left).type(), ColumnType.INT64);
                    FieldVector out = type == ColumnType.INT64 ? longs : doubles;
                    for (ArithmeticOp op : ArithmeticOp.values()) {
                        long c = r.nextInt(4) == 0 ? 0L : RandomBatches.someLong(r);
                        String where = "seed " + seed + ": " + batch.schema().describe(left) + " " + op + " " + c;
                        boolean divides = op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER;
                        if (type == ColumnType.INT64 && divides && c == 0) {
                            assertEquals(batch.schema().describe(left) + ": integer division by the constant 0",
                                    assertThrows(ArithmeticException.class,
                                        () -> ArithmeticKernel.apply(batch, left, op, c, out)).getMessage(), where);
                            continue;
                        }
                        ArithmeticKernel.apply(batch, left, op, c, out);
                        assertEquals(batch.rowCount(), out.getValueCount(), where);
                        for (int i = 0; i < batch.rowCount(); i++) {
                            assertEquals(expected(type, op, batch.value(i, left), c), out.getObject(i), where + ", row " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void combinesAColumnWithADoubleConstantAsFloat64() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300));
                 Float8Vector out = new Float8Vector("out", allocator)) {
                for (int left : RandomBatches.NUMERIC) {
                    for (ArithmeticOp op : ArithmeticOp.values()) {
                        double c = r.nextInt(5) == 0 ? 0.0 : RandomBatches.someDouble(r);
                        String where = "seed " + seed + ": " + batch.schema().describe(left) + " " + op + " " + c;
                        ArithmeticKernel.apply(batch, left, op, c, out);
                        assertEquals(batch.rowCount(), out.getValueCount(), where);
                        for (int i = 0; i < batch.rowCount(); i++) {
                            assertEquals(expected(ColumnType.FLOAT64, op, batch.value(i, left), c), out.getObject(i),
                                    where + ", row " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void wrapsOnOverflowAndDividesTowardZeroLikeJavaLongs() {
        BatchSchema schema = BatchSchema.of(Column.of("a", ColumnType.INT64), Column.of("b", ColumnType.INT64),
                Column.of("x", ColumnType.INT32), Column.of("y", ColumnType.INT32));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                new Object[] {Long.MAX_VALUE, 1L, Integer.MIN_VALUE, Integer.MIN_VALUE},
                new Object[] {Long.MIN_VALUE, -1L, Integer.MAX_VALUE, -1},
                new Object[] {-7L, 2L, -7, 2});
             BigIntVector out = new BigIntVector("out", allocator)) {
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.ADD, 1, out);
            assertEquals(Long.MIN_VALUE, out.get(0), "MAX + 1 wraps");
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.DIVIDE, 1, out);
            assertEquals(Long.MIN_VALUE, out.get(1), "MIN / -1 wraps, as in Java");
            assertEquals(-3L, out.get(2), "rounds toward zero");
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.REMAINDER, 1, out);
            assertEquals(0L, out.get(1));
            assertEquals(-1L, out.get(2), "the remainder takes the dividend's sign");
            ArithmeticKernel.apply(batch, 2, ArithmeticOp.MULTIPLY, 3, out);
            assertEquals(1L << 62, out.get(0), "int32 operands are widened first: no 32-bit overflow");
            ArithmeticKernel.apply(batch, 2, ArithmeticOp.SUBTRACT, Long.MIN_VALUE, out);
            assertEquals(Integer.MIN_VALUE - Long.MIN_VALUE, out.get(0));
        }
    }

    @Test
    void divisionByZeroNamesTheDivisorFieldAndRowAndWritesNothing() {
        BatchSchema schema = BatchSchema.of(Column.of("total", ColumnType.INT64), Column.nullable("qty", ColumnType.INT32),
                Column.nullable("price", ColumnType.FLOAT64));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {10L, 2, 1.0},
                new Object[] {4L, null, 2.0}, new Object[] {9L, 0, 3.0}, new Object[] {1L, 1, 4.0});
             BigIntVector out = new BigIntVector("out", allocator);
             Float8Vector doubles = new Float8Vector("out", allocator)) {
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.ADD, 5L, out);
            assertEquals("field 1 ('qty', int32): division by zero at row 2", assertThrows(ArithmeticException.class,
                    () -> ArithmeticKernel.apply(batch, 0, ArithmeticOp.DIVIDE, 1, out)).getMessage());
            assertEquals("field 1 ('qty', int32): division by zero at row 2", assertThrows(ArithmeticException.class,
                    () -> ArithmeticKernel.apply(batch, 0, ArithmeticOp.REMAINDER, 1, out)).getMessage());
            assertEquals(15L, out.get(0), "the previous result is untouched");
            assertEquals(4, out.getValueCount());
            assertEquals("field 0 ('total', int64): integer division by the constant 0",
                    assertThrows(ArithmeticException.class,
                        () -> ArithmeticKernel.apply(batch, 0, ArithmeticOp.REMAINDER, 0L, out)).getMessage());
            ArithmeticKernel.apply(batch, 2, ArithmeticOp.DIVIDE, 1, doubles);
            assertEquals(Double.POSITIVE_INFINITY, doubles.get(2), "float64 division by zero is Java's, not an error");
            assertNull(doubles.getObject(1));
            ArithmeticKernel.apply(batch, 2, ArithmeticOp.REMAINDER, 0L, doubles);
            assertEquals(Double.NaN, doubles.get(0));
        }
    }

    @Test
    void aZeroDivisorInANullRowGivesNullWithoutAnError() {
        BatchSchema schema = BatchSchema.of(Column.nullable("a", ColumnType.INT64), Column.nullable("b", ColumnType.INT64));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {null, 0L},
                new Object[] {6L, null}, new Object[] {6L, 3L});
             BigIntVector out = new BigIntVector("out", allocator)) {
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.DIVIDE, 1, out);
            assertNull(out.getObject(0));
            assertNull(out.getObject(1));
            assertEquals(2L, out.get(2));
        }
    }

    @Test
    void resultTypeIsInt64ForIntegersAndFloat64WhenEitherIsFloat64() {
        assertEquals(ColumnType.INT64, ArithmeticKernel.resultType(ColumnType.INT32, ColumnType.INT32));
        assertEquals(ColumnType.INT64, ArithmeticKernel.resultType(ColumnType.INT32, ColumnType.INT64));
        assertEquals(ColumnType.INT64, ArithmeticKernel.resultType(ColumnType.INT64, ColumnType.INT64));
        assertEquals(ColumnType.FLOAT64, ArithmeticKernel.resultType(ColumnType.INT64, ColumnType.FLOAT64));
        assertEquals(ColumnType.FLOAT64, ArithmeticKernel.resultType(ColumnType.FLOAT64, ColumnType.INT32));
        assertEquals(ColumnType.FLOAT64, ArithmeticKernel.resultType(ColumnType.FLOAT64, ColumnType.FLOAT64));
        assertEquals("arithmetic needs int32, int64 or float64 operands, not timestamp[ms]",
                assertThrows(IllegalArgumentException.class,
                    () -> ArithmeticKernel.resultType(ColumnType.INT64, ColumnType.TIMESTAMP_MS)).getMessage());
        assertEquals("arithmetic needs int32, int64 or float64 operands, not utf8",
                assertThrows(IllegalArgumentException.class,
                    () -> ArithmeticKernel.resultType(ColumnType.UTF8, ColumnType.INT32)).getMessage());
    }

    /** Timestamps count in epoch milliseconds: plus or minus integer milliseconds, or less another timestamp. */
    @Test
    void timestampsAddAndSubtractMilliseconds() {
        ColumnType ts = ColumnType.TIMESTAMP_MS;
        assertEquals(ts, ArithmeticKernel.resultType(ts, ArithmeticOp.ADD, ColumnType.INT32));
        assertEquals(ts, ArithmeticKernel.resultType(ColumnType.INT64, ArithmeticOp.ADD, ts));
        assertEquals(ts, ArithmeticKernel.resultType(ts, ArithmeticOp.SUBTRACT, ColumnType.INT64));
        assertEquals(ColumnType.INT64, ArithmeticKernel.resultType(ts, ArithmeticOp.SUBTRACT, ts));
        assertEquals(ColumnType.FLOAT64, ArithmeticKernel.resultType(ColumnType.INT64, ArithmeticOp.ADD, ColumnType.FLOAT64));
        for (ColumnType[] refused : new ColumnType[][] {{ts, ts}, {ts, ColumnType.FLOAT64}, {ColumnType.UTF8, ts}}) {
            assertThrows(IllegalArgumentException.class,
                    () -> ArithmeticKernel.resultType(refused[0], ArithmeticOp.ADD, refused[1]));
        }
        assertEquals("timestamp[ms] arithmetic is a timestamp plus or minus an integer (milliseconds) or a timestamp"
                + " less a timestamp, not timestamp[ms] MULTIPLY int64", assertThrows(IllegalArgumentException.class,
                () -> ArithmeticKernel.resultType(ts, ArithmeticOp.MULTIPLY, ColumnType.INT64)).getMessage());
        BatchSchema schema = BatchSchema.of(Column.nullable("t", ColumnType.TIMESTAMP_MS),
                Column.of("u", ColumnType.TIMESTAMP_MS), Column.of("n", ColumnType.INT32));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator,
                new Object[] {10_000L, 4_000L, 7}, new Object[] {null, -3L, -2});
             TimeStampMilliVector times = new TimeStampMilliVector("out", allocator);
             BigIntVector millis = new BigIntVector("out", allocator)) {
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.SUBTRACT, 1L, times);
            assertEquals(9_999L, times.get(0));
            assertNull(times.getObject(1));
            ArithmeticKernel.apply(batch, 2, ArithmeticOp.ADD, 0, times);
            assertEquals(10_007L, times.get(0));
            assertNull(times.getObject(1));
            ArithmeticKernel.apply(batch, 1, ArithmeticOp.ADD, 2, times);
            assertEquals(4_007L, times.get(0));
            assertEquals(-5L, times.get(1));
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.SUBTRACT, 1, millis);
            assertEquals(6_000L, millis.get(0));
            assertNull(millis.getObject(1));
        }
    }

    @Test
    void rejectsNonNumericFieldsAndAnOutputOfTheWrongType() {
        try (RecordBatch batch = RandomBatches.create(allocator, new Random(1), 4);
             BigIntVector longs = new BigIntVector("out", allocator);
             Float8Vector doubles = new Float8Vector("out", allocator);
             IntVector ints = new IntVector("out", allocator)) {
            assertEquals("field 3 ('s', utf8): arithmetic needs an int32, int64, float64 or timestamp[ms] field",
                    assertThrows(IllegalArgumentException.class,
                        () -> ArithmeticKernel.apply(batch, RandomBatches.S, ArithmeticOp.ADD, 1L, longs)).getMessage());
            assertEquals("timestamp[ms] arithmetic is a timestamp plus or minus an integer (milliseconds) or a timestamp"
                    + " less a timestamp, not int64 SUBTRACT timestamp[ms]",
                    assertThrows(IllegalArgumentException.class, () -> ArithmeticKernel.apply(batch, RandomBatches.I64,
                        ArithmeticOp.SUBTRACT, RandomBatches.TS, longs)).getMessage());
            assertEquals("the result of field 1 ('i64', int64) ADD field 0 ('i32', int32) is int64, but the output "
                    + "vector holds float64; allocate it as ArithmeticKernel.resultType says",
                    assertThrows(IllegalArgumentException.class, () -> ArithmeticKernel.apply(batch, RandomBatches.I64,
                        ArithmeticOp.ADD, RandomBatches.I32, doubles)).getMessage());
            assertEquals("the result of field 0 ('i32', int32) MULTIPLY the constant 2 is int64, but the output "
                    + "vector holds int32; allocate it as ArithmeticKernel.resultType says",
                    assertThrows(IllegalArgumentException.class, () -> ArithmeticKernel.apply(batch, RandomBatches.I32,
                        ArithmeticOp.MULTIPLY, 2L, ints)).getMessage());
            assertEquals("the result of field 1 ('i64', int64) DIVIDE the constant 2.0 is float64, but the output "
                    + "vector holds int64; allocate it as ArithmeticKernel.resultType says",
                    assertThrows(IllegalArgumentException.class, () -> ArithmeticKernel.apply(batch, RandomBatches.I64,
                        ArithmeticOp.DIVIDE, 2.0, longs)).getMessage());
            assertEquals(0, longs.getValueCount());
            assertEquals(0, doubles.getValueCount());
        }
    }

    @Test
    void growsTheOutputOnlyWhenABatchDoesNotFit() {
        try (RecordBatch small = RandomBatches.create(allocator, new Random(1), 100);
             RecordBatch large = RandomBatches.create(allocator, new Random(2), 5000);
             BigIntVector out = new BigIntVector("out", allocator)) {
            ArithmeticKernel.apply(large, RandomBatches.N, ArithmeticOp.ADD, RandomBatches.M, out);
            long data = out.getDataBufferAddress();
            long validity = out.getValidityBufferAddress();
            ArithmeticKernel.apply(small, RandomBatches.N, ArithmeticOp.MULTIPLY, RandomBatches.N, out);
            ArithmeticKernel.apply(large, RandomBatches.I64, ArithmeticOp.SUBTRACT, 3L, out);
            assertEquals(data, out.getDataBufferAddress(), "data buffer reused");
            assertEquals(validity, out.getValidityBufferAddress(), "validity buffer reused");
            assertEquals(5000, out.getValueCount());
        }
    }

    @Test
    void computesInPlaceIntoTheLeftOperandButNotTheRight() {
        BatchSchema schema = BatchSchema.of(Column.nullable("a", ColumnType.INT64), Column.nullable("b", ColumnType.INT64));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {1L, 10L},
                new Object[] {null, 20L}, new Object[] {3L, null})) {
            ArithmeticKernel.apply(batch, 0, ArithmeticOp.ADD, 1, batch.vector(0));
            assertEquals(11L, batch.value(0, 0));
            assertNull(batch.value(1, 0));
            assertNull(batch.value(2, 0));
            ArithmeticKernel.apply(batch, 1, ArithmeticOp.MULTIPLY, 1, batch.vector(1));
            assertEquals(400L, batch.value(1, 1), "b * b in place");
            assertEquals("the output vector is the right operand, field 1 ('b', int64), which the kernel would "
                    + "overwrite before reading; pass another vector or the left operand's",
                    assertThrows(IllegalArgumentException.class,
                        () -> ArithmeticKernel.apply(batch, 0, ArithmeticOp.SUBTRACT, 1, batch.vector(1))).getMessage());
        }
    }

    @Test
    void anEmptyBatchGivesAnEmptyResult() {
        try (RecordBatch batch = RandomBatches.create(allocator, new Random(1), 0);
             BigIntVector longs = new BigIntVector("out", allocator);
             Float8Vector doubles = new Float8Vector("out", allocator)) {
            ArithmeticKernel.apply(batch, RandomBatches.I64, ArithmeticOp.DIVIDE, RandomBatches.I32, longs);
            ArithmeticKernel.apply(batch, RandomBatches.F64, ArithmeticOp.ADD, 1L, doubles);
            ArithmeticKernel.apply(batch, RandomBatches.M, ArithmeticOp.REMAINDER, 1.5, doubles);
            assertEquals(0, longs.getValueCount());
            assertEquals(0, doubles.getValueCount());
        }
    }

    /** The first row whose integer division the kernel must refuse: a zero divisor with a non-null dividend. */
    private static int firstZeroDivisor(RecordBatch batch, ArithmeticOp op, int left, int right) {
        if (op != ArithmeticOp.DIVIDE && op != ArithmeticOp.REMAINDER) {
            return -1;
        }
        for (int i = 0; i < batch.rowCount(); i++) {
            Object b = batch.value(i, right);
            if (batch.value(i, left) != null && b != null && ((Number) b).longValue() == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The plain-Java result: Long or Double, or null when an operand is. */
    private static Object expected(ColumnType type, ArithmeticOp op, Object a, Object b) {
        if (a == null || b == null) {
            return null;
        }
        if (type == ColumnType.INT64) {
            long x = ((Number) a).longValue();
            long y = ((Number) b).longValue();
            switch (op) {
                case ADD: return x + y;
                case SUBTRACT: return x - y;
                case MULTIPLY: return x * y;
                case DIVIDE: return x / y;
                default: return x % y;
            }
        }
        double x = ((Number) a).doubleValue();
        double y = ((Number) b).doubleValue();
        switch (op) {
            case ADD: return x + y;
            case SUBTRACT: return x - y;
            case MULTIPLY: return x * y;
            case DIVIDE: return x / y;
            default: return x % y;
        }
    }
}
