package io.riffle.engine.expr;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.kernel.CompareOp;

/**
 * Plain Java evaluation of an expression on one row, the behaviour the vectorized path must match: values
 * boxed as {@code RecordBatch.value} returns them, null for SQL null, three-valued AND, OR and NOT.
 */
final class Reference {
    private Reference() {
    }

    static Object eval(Expr e, BatchSchema schema, Object[] row) {
        if (e instanceof Expr.Alias alias) {
            return eval(alias.operand, schema, row);
        }
        if (e instanceof Expr.ColumnRef ref) {
            return row[ref.resolveIndex(schema)];
        }
        if (e instanceof Expr.Literal literal) {
            switch (literal.type) {
                case INT64: return literal.longValue;
                case FLOAT64: return literal.doubleValue;
                default: return literal.stringValue;
            }
        }
        if (e instanceof Expr.Arithmetic arithmetic) {
            return arithmetic(arithmetic, eval(arithmetic.left, schema, row), eval(arithmetic.right, schema, row));
        }
        if (e instanceof Expr.Comparison comparison) {
            return compare(comparison.op, eval(comparison.left, schema, row), eval(comparison.right, schema, row));
        }
        if (e instanceof Expr.Logical logical) {
            Boolean l = (Boolean) eval(logical.left, schema, row);
            Boolean r = (Boolean) eval(logical.right, schema, row);
            Boolean decisive = !logical.and;   // false decides AND, true decides OR
            if (decisive.equals(l) || decisive.equals(r)) {
                return decisive;
            }
            return l == null || r == null ? null : !decisive;
        }
        if (e instanceof Expr.Not not) {
            Boolean b = (Boolean) eval(not.operand, schema, row);
            return b == null ? null : !b;
        }
        Expr.NullTest test = (Expr.NullTest) e;
        return (eval(test.operand, schema, row) == null) == test.isNull;
    }

    private static Object arithmetic(Expr.Arithmetic e, Object l, Object r) {
        if (l == null || r == null) {
            return null;
        }
        if (l instanceof Double || r instanceof Double) {
            double x = ((Number) l).doubleValue();
            double y = ((Number) r).doubleValue();
            switch (e.op) {
                case ADD: return x + y;
                case SUBTRACT: return x - y;
                case MULTIPLY: return x * y;
                case DIVIDE: return x / y;
                default: return x % y;
            }
        }
        long x = ((Number) l).longValue();
        long y = ((Number) r).longValue();
        switch (e.op) {
            case ADD: return x + y;
            case SUBTRACT: return x - y;
            case MULTIPLY: return x * y;
            case DIVIDE: return x / y;
            default: return x % y;
        }
    }

    private static Boolean compare(CompareOp op, Object l, Object r) {
        if (l == null || r == null) {
            return null;
        }
        if (l instanceof String) {
            int c = compareUtf8((String) l, (String) r);
            return test(op, Integer.compare(c, 0), 0);
        }
        if (l instanceof Instant || r instanceof Instant) {
            return test(op, millis(l), millis(r));
        }
        if (l instanceof Double || r instanceof Double) {
            return test(op, ((Number) l).doubleValue(), ((Number) r).doubleValue());
        }
        return test(op, ((Number) l).longValue(), ((Number) r).longValue());
    }

    private static long millis(Object v) {
        return v instanceof Instant instant ? instant.toEpochMilli() : (Long) v;
    }

    private static boolean test(CompareOp op, long x, long y) {
        switch (op) {
            case EQ: return x == y;
            case NE: return x != y;
            case LT: return x < y;
            case LE: return x <= y;
            case GT: return x > y;
            default: return x >= y;
        }
    }

    private static boolean test(CompareOp op, double x, double y) {
        switch (op) {
            case EQ: return x == y;
            case NE: return x != y;
            case LT: return x < y;
            case LE: return x <= y;
            case GT: return x > y;
            default: return x >= y;
        }
    }

    private static int compareUtf8(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (x[i] != y[i]) {
                return (x[i] & 0xFF) - (y[i] & 0xFF);
            }
        }
        return x.length - y.length;
    }
}
