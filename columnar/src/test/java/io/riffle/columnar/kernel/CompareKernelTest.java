package io.riffle.columnar.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CompareKernelTest {
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

    interface RowTest {
        boolean test(Object value);
    }

    @Test
    void integerComparisonsMatchJavaAndSkipNulls() {
        for (long seed = 1; seed <= 40; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (int column : new int[] {RandomBatches.I32, RandomBatches.I64, RandomBatches.TS}) {
                    for (CompareOp op : CompareOp.values()) {
                        long c = RandomBatches.someLong(r);
                        SelectionVector in = r.nextBoolean() ? null : RandomBatches.subset(r, batch.rowCount());
                        SelectionVector out = new SelectionVector(1);
                        int n = CompareKernel.compare(batch, column, op, c, in, out);
                        List<Integer> want = reference(batch, column, in, v -> longTest(op, asLong(v), c));
                        assertEquals(want, rows(out), "seed " + seed + " column " + column + " " + op + " " + c);
                        assertEquals(want.size(), n);
                    }
                }
            }
        }
    }

    @Test
    void doubleComparisonsFollowJavaIncludingNaNAndNegativeZero() {
        for (long seed = 100; seed < 140; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (int column : new int[] {RandomBatches.I32, RandomBatches.I64, RandomBatches.F64}) {
                    for (CompareOp op : CompareOp.values()) {
                        double c = RandomBatches.someDouble(r);
                        SelectionVector in = r.nextBoolean() ? null : RandomBatches.subset(r, batch.rowCount());
                        SelectionVector out = new SelectionVector(1);
                        CompareKernel.compare(batch, column, op, c, in, out);
                        List<Integer> want = reference(batch, column, in, v -> doubleTest(op, ((Number) v).doubleValue(), c));
                        assertEquals(want, rows(out), "seed " + seed + " column " + column + " " + op + " " + c);
                    }
                }
            }
        }
    }

    @Test
    void stringComparisonsUseCodePointOrder() {
        for (long seed = 200; seed < 230; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (CompareOp op : CompareOp.values()) {
                    String c = RandomBatches.someString(r);
                    SelectionVector out = new SelectionVector(1);
                    CompareKernel.compare(batch, RandomBatches.S, op, c, null, out);
                    byte[] cb = c.getBytes(StandardCharsets.UTF_8);
                    List<Integer> want = reference(batch, RandomBatches.S, null, v -> longTest(op,
                            Integer.signum(Arrays.compareUnsigned(((String) v).getBytes(StandardCharsets.UTF_8), cb)), 0));
                    assertEquals(want, rows(out), "seed " + seed + " " + op + " '" + c + "'");
                }
            }
        }
    }

    @Test
    void columnComparisonsMixIntegerAndFloatingPoint() {
        int[][] pairs = {{RandomBatches.I32, RandomBatches.I64}, {RandomBatches.I64, RandomBatches.F64},
            {RandomBatches.F64, RandomBatches.I32}};
        for (long seed = 300; seed < 330; seed++) {
            Random r = new Random(seed);
            try (RecordBatch batch = RandomBatches.create(allocator, r, r.nextInt(300))) {
                for (int[] pair : pairs) {
                    for (CompareOp op : CompareOp.values()) {
                        SelectionVector out = new SelectionVector(1);
                        CompareKernel.compareColumns(batch, pair[0], op, pair[1], null, out);
                        List<Integer> want = new ArrayList<>();
                        for (int i = 0; i < batch.rowCount(); i++) {
                            Object a = batch.value(i, pair[0]);
                            Object b = batch.value(i, pair[1]);
                            if (a == null || b == null) {
                                continue;
                            }
                            boolean keep = a instanceof Double || b instanceof Double
                                    ? doubleTest(op, ((Number) a).doubleValue(), ((Number) b).doubleValue())
                                    : longTest(op, ((Number) a).longValue(), ((Number) b).longValue());
                            if (keep) {
                                want.add(i);
                            }
                        }
                        assertEquals(want, rows(out), "seed " + seed + " " + Arrays.toString(pair) + " " + op);
                    }
                }
            }
        }
    }

    @Test
    void filtersChainInPlaceAndNullTestsSelectExactlyTheNulls() {
        Random r = new Random(9);
        try (RecordBatch batch = RandomBatches.create(allocator, r, 500)) {
            SelectionVector rows = new SelectionVector(4);
            CompareKernel.compare(batch, RandomBatches.I64, CompareOp.GE, -5L, null, rows);
            CompareKernel.compare(batch, RandomBatches.F64, CompareOp.LT, 3.0, rows, rows);
            List<Integer> want = new ArrayList<>();
            List<Integer> nulls = new ArrayList<>();
            for (int i = 0; i < batch.rowCount(); i++) {
                Object a = batch.value(i, RandomBatches.I64);
                Object b = batch.value(i, RandomBatches.F64);
                if (a != null && (Long) a >= -5 && b != null && (Double) b < 3.0) {
                    want.add(i);
                }
                if (batch.value(i, RandomBatches.S) == null) {
                    nulls.add(i);
                }
            }
            assertEquals(want, rows(rows));
            SelectionVector isNull = new SelectionVector(1);
            SelectionVector notNull = new SelectionVector(1);
            CompareKernel.isNull(batch, RandomBatches.S, null, isNull);
            CompareKernel.isNotNull(batch, RandomBatches.S, null, notNull);
            assertEquals(nulls, rows(isNull));
            assertEquals(batch.rowCount(), isNull.size() + notNull.size());
        }
    }

    @Test
    void namesTheFieldWhenItsTypeDoesNotFit() {
        try (RecordBatch batch = RandomBatches.create(allocator, new Random(1), 3)) {
            SelectionVector out = new SelectionVector(1);
            assertEquals("field 3 ('s', utf8): comparison with a number needs an int32, int64 or float64 field",
                    assertThrows(IllegalArgumentException.class,
                            () -> CompareKernel.compare(batch, RandomBatches.S, CompareOp.GT, 1.0, null, out)).getMessage());
            assertEquals("field 2 ('f64', float64): comparison with an integer needs an int32, int64 or timestamp[ms] field",
                    assertThrows(IllegalArgumentException.class,
                            () -> CompareKernel.compare(batch, RandomBatches.F64, CompareOp.GT, 1L, null, out)).getMessage());
            assertEquals("field 1 ('i64', int64): comparison with a string needs a utf8 field",
                    assertThrows(IllegalArgumentException.class,
                            () -> CompareKernel.compare(batch, RandomBatches.I64, CompareOp.EQ, "x", null, out)).getMessage());
            assertEquals("field 5 ('b', bool): comparing two columns needs int32, int64 or float64 fields",
                    assertThrows(IllegalArgumentException.class,
                            () -> CompareKernel.compareColumns(batch, RandomBatches.I64, CompareOp.EQ, RandomBatches.B,
                                    null, out)).getMessage());
        }
    }

    private static List<Integer> reference(RecordBatch batch, int column, SelectionVector in, RowTest test) {
        List<Integer> want = new ArrayList<>();
        int n = in == null ? batch.rowCount() : in.size();
        for (int j = 0; j < n; j++) {
            int i = in == null ? j : in.get(j);
            Object v = batch.value(i, column);
            if (v != null && test.test(v)) {
                want.add(i);
            }
        }
        return want;
    }

    private static long asLong(Object v) {
        return v instanceof Instant ? ((Instant) v).toEpochMilli() : ((Number) v).longValue();
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

    static List<Integer> rows(SelectionVector s) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            out.add(s.get(i));
        }
        return out;
    }
}
