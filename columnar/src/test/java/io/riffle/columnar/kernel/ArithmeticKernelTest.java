package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ArithmeticKernelTest {
    RootAllocator allocator;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void close() {
        assertEquals(0, allocator.getAllocatedMemory(), "off-heap bytes outstanding");
        allocator.close();
    }

    @Test
    void columnArithmeticMatchesJavaWithNullsPropagating() {
        int[][] pairs = {{RandomBatches.I64, RandomBatches.I32}, {RandomBatches.I32, RandomBatches.N},
            {RandomBatches.F64, RandomBatches.I64}, {RandomBatches.I64, RandomBatches.F64}};
        for (long seed = 1; seed <= 30; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, 1 + r.nextInt(300));
                 BigIntVector longs = new BigIntVector("out", allocator);
                 Float8Vector doubles = new Float8Vector("out", allocator)) {
                for (int[] pair : pairs) {
                    ColumnType type = ArithmeticKernel.resultType(batch.schema().column(pair[0]).type(),
                            batch.schema().column(pair[1]).type());
                    FieldVector out = type == ColumnType.INT64 ? longs : doubles;
                    for (ArithmeticOp op : ArithmeticOp.values()) {
                        if (type == ColumnType.INT64 && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER)
                                && hasValidZero(batch, pair[0], pair[1])) {
                            continue;
                        }
                        ArithmeticKernel.apply(batch, pair[0], op, pair[1], out);
                        for (int i = 0; i < batch.rowCount(); i++) {
                            Object a = batch.value(i, pair[0]);
                            Object b = batch.value(i, pair[1]);
                            Object want = a == null || b == null ? null : type == ColumnType.INT64
                                    ? (Object) longOp(op, ((Number) a).longValue(), ((Number) b).longValue())
                                    : (Object) doubleOp(op, ((Number) a).doubleValue(), ((Number) b).doubleValue());
                            assertEquals(want, out.getObject(i), "seed " + seed + " row " + i + " " + op);
                        }
                        assertEquals(batch.rowCount(), out.getValueCount());
                    }
                }
            }
        }
    }

    @Test
    void constantArithmeticMatchesJava() {
        Random r = new Random(77);
        try (RecordBatch batch = RandomBatches.create(allocator, r, 200);
             BigIntVector longs = new BigIntVector("out", allocator);
             Float8Vector doubles = new Float8Vector("out", allocator)) {
            for (ArithmeticOp op : ArithmeticOp.values()) {
                ArithmeticKernel.apply(batch, RandomBatches.I64, op, 7L, longs);
                ArithmeticKernel.apply(batch, RandomBatches.I32, op, -2.5, doubles);
                for (int i = 0; i < batch.rowCount(); i++) {
                    Object a = batch.value(i, RandomBatches.I64);
                    assertEquals(a == null ? null : longOp(op, (Long) a, 7L), longs.getObject(i), op + " row " + i);
                    Object b = batch.value(i, RandomBatches.I32);
                    assertEquals(b == null ? null : doubleOp(op, (Integer) b, -2.5), doubles.getObject(i), op + " row " + i);
                }
            }
        }
    }

    @Test
    void integerDivisionByZeroNamesTheFieldAndRowAndWritesNothing() {
        BatchSchema schema = BatchSchema.of(Column.of("total", ColumnType.INT64), Column.nullable("qty", ColumnType.INT32));
        try (RecordBatch batch = RecordBatchBuilder.fromRows(schema, allocator, new Object[] {10L, 2},
                new Object[] {4L, null}, new Object[] {9L, 0}, new Object[] {1L, 1});
             BigIntVector out = new BigIntVector("out", allocator);
             Float8Vector wrong = new Float8Vector("out", allocator)) {
            assertEquals("field 1 ('qty', int32): division by zero at row 2", assertThrows(ArithmeticException.class,
                    () -> ArithmeticKernel.apply(batch, 0, ArithmeticOp.DIVIDE, 1, out)).getMessage());
            assertEquals(0, out.getValueCount(), "nothing written");
            assertEquals("field 0 ('total', int64): integer division by the constant 0",
                    assertThrows(ArithmeticException.class,
                            () -> ArithmeticKernel.apply(batch, 0, ArithmeticOp.REMAINDER, 0L, out)).getMessage());
            assertEquals("the result of field 0 ('total', int64) ADD field 1 ('qty', int32) is int64; the output vector "
                    + "is float64", assertThrows(IllegalArgumentException.class,
                            () -> ArithmeticKernel.apply(batch, 0, ArithmeticOp.ADD, 1, wrong)).getMessage());
        }
        try (RecordBatch strings = RandomBatches.create(allocator, new Random(1), 2);
             BigIntVector out = new BigIntVector("out", allocator)) {
            assertEquals("field 3 ('s', utf8): arithmetic needs an int32, int64 or float64 field",
                    assertThrows(IllegalArgumentException.class,
                            () -> ArithmeticKernel.apply(strings, RandomBatches.S, ArithmeticOp.ADD, 1L, out)).getMessage());
        }
    }

    private static boolean hasValidZero(RecordBatch batch, int a, int b) {
        for (int i = 0; i < batch.rowCount(); i++) {
            Object x = batch.value(i, a);
            Object y = batch.value(i, b);
            if (x != null && y != null && ((Number) y).longValue() == 0) {
                return true;
            }
        }
        return false;
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
}
