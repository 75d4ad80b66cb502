package io.riffle.engine.expr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.ArithmeticKernel;
import io.riffle.columnar.kernel.ArithmeticOp;
import io.riffle.columnar.kernel.CompareOp;

/**
 * Turns expressions into bound nodes over one input schema, at plan time: resolves fields, checks types
 * (every error names the expression and the field or literal at fault), picks the kernel form of each
 * operation, and lays out the work batch that holds what the kernels compute. Single-use, single-threaded.
 */
final class Binder {
    private final BatchSchema input;
    private final List<Column> workColumns = new ArrayList<>();
    private final Set<String> workNames = new HashSet<>();
    /** Input fields copied into the work batch, by index: each is copied once per batch however often read. */
    private final Map<Integer, ValueNode.StagedColumn> staged = new HashMap<>();

    Binder(BatchSchema input) {
        this.input = input;
    }

    /** The schema of the work batch the bound nodes compute into. */
    BatchSchema workSchema() {
        return BatchSchema.of(workColumns);
    }

    /** {@code e} as a column of values; a predicate becomes a bool column (true, false or null per row). */
    ValueNode value(Expr e) {
        if (e instanceof Expr.Alias alias) {
            return value(alias.operand);
        }
        if (e instanceof Expr.ColumnRef ref) {
            int index = ref.resolveIndex(input);
            Column column = input.column(index);
            return new ValueNode.InputColumn(column.name(), column.type(), column.nullable(), index);
        }
        if (e instanceof Expr.Literal literal) {
            byte[] utf8 = literal.stringValue == null ? null : literal.stringValue.getBytes(StandardCharsets.UTF_8);
            return new ValueNode.Constant(e.text(input), literal.type, literal.longValue, literal.doubleValue, utf8);
        }
        if (e instanceof Expr.Arithmetic arithmetic) {
            return arithmetic(arithmetic);
        }
        return new ValueNode.PredicateValue(e.text(input), predicateForm(e));
    }

    /**
     * {@code e} as a predicate: a comparison, AND, OR, NOT, null test or bool field. {@code needs} begins
     * the error for anything else, e.g. {@code "a filter needs a bool predicate"}.
     */
    PredicateNode predicate(Expr e, String needs) {
        if (e instanceof Expr.Alias alias) {
            return predicate(alias.operand, needs);
        }
        if (e.isPredicate()) {
            return predicateForm(e);
        }
        ValueNode value = value(e);
        if (value.type != ColumnType.BOOL) {
            throw new IllegalArgumentException(needs + ", but " + describe(e) + " is " + value.type);
        }
        return new PredicateNode.BoolColumn(located(value), true);
    }

    /** A comparison, AND, OR, NOT or null test. */
    private PredicateNode predicateForm(Expr e) {
        if (e instanceof Expr.Comparison comparison) {
            return comparison(comparison);
        }
        if (e instanceof Expr.Logical logical) {
            String needs = logical.text(input) + ": " + logical.keyword() + " needs bool operands";
            PredicateNode left = predicate(logical.left, needs);
            PredicateNode right = predicate(logical.right, needs);
            return logical.and ? new PredicateNode.And(left, right) : new PredicateNode.Or(left, right);
        }
        if (e instanceof Expr.Not not) {
            return predicate(not.operand, not.text(input) + ": NOT needs a bool operand").negate();
        }
        Expr.NullTest test = (Expr.NullTest) e;
        return new PredicateNode.NullTest(located(value(test.operand)), test.isNull);
    }

    private ValueNode arithmetic(Expr.Arithmetic e) {
        String text = e.text(input);
        ValueNode left = value(e.left);
        ValueNode right = value(e.right);
        ColumnType type = arithmeticType(e, left, right);
        ArithmeticOp op = e.op;
        // The kernel takes a constant only on its right: a commutative op moves a literal there.
        if (left instanceof ValueNode.Constant && !(right instanceof ValueNode.Constant)
                && (op == ArithmeticOp.ADD || op == ArithmeticOp.MULTIPLY)) {
            ValueNode swap = left;
            left = right;
            right = swap;
        }
        // The constant kernel takes an integer constant as a number: a timestamp constant is read as a column.
        if (right instanceof ValueNode.Constant constant && constant.type != ColumnType.TIMESTAMP_MS) {
            if (type == ColumnType.INT64 && constant.longValue == 0
                    && (op == ArithmeticOp.DIVIDE || op == ArithmeticOp.REMAINDER)) {
                throw new IllegalArgumentException(text + ": integer division by the constant 0");
            }
            return ValueNode.Arithmetic.ofConstant(text, type, located(left), op, constant);
        }
        if (!(left instanceof ValueNode.InputColumn && right instanceof ValueNode.InputColumn)) {
            left = inWork(left);
            right = inWork(right);
        }
        return ValueNode.Arithmetic.ofColumns(text, type, left, op, right);
    }

    private PredicateNode comparison(Expr.Comparison e) {
        ValueNode left = value(e.left);
        ValueNode right = value(e.right);
        checkComparable(e, left, right);
        CompareOp op = e.op;
        // The kernel takes a constant only on its right: a literal on the left swaps sides, mirroring the op.
        if (left instanceof ValueNode.Constant && !(right instanceof ValueNode.Constant)) {
            ValueNode swap = left;
            left = right;
            right = swap;
            op = mirrored(op);
        }
        if (right instanceof ValueNode.Constant constant) {
            left = located(left);
            switch (constant.type) {
                case INT64:
                case TIMESTAMP_MS:
                    // A float64 value against an integer compares as Java does: the integer as a double.
                    return left.type == ColumnType.FLOAT64
                            ? PredicateNode.Compare.ofDouble(left, op, constant.longValue)
                            : PredicateNode.Compare.ofLong(left, op, constant.longValue);
                case FLOAT64:
                    return PredicateNode.Compare.ofDouble(left, op, constant.doubleValue);
                default:
                    return PredicateNode.Compare.ofUtf8(left, op, constant.utf8);
            }
        }
        if (!(left instanceof ValueNode.InputColumn && right instanceof ValueNode.InputColumn)) {
            left = inWork(left);
            right = inWork(right);
        }
        return PredicateNode.Compare.ofColumns(left, op, right);
    }

    /** Numbers compare with numbers, utf8 with a string literal, timestamp[ms] with timestamp[ms] or an integer literal. */
    private void checkComparable(Expr.Comparison e, ValueNode left, ValueNode right) {
        ColumnType lt = left.type;
        ColumnType rt = right.type;
        boolean literal = left instanceof ValueNode.Constant || right instanceof ValueNode.Constant;
        if (lt.isNumeric() && rt.isNumeric()
                || lt == ColumnType.UTF8 && rt == ColumnType.UTF8 && literal
                || lt == ColumnType.TIMESTAMP_MS && rt == ColumnType.TIMESTAMP_MS
                || lt == ColumnType.TIMESTAMP_MS && right instanceof ValueNode.Constant && rt == ColumnType.INT64
                || rt == ColumnType.TIMESTAMP_MS && left instanceof ValueNode.Constant && lt == ColumnType.INT64) {
            return;
        }
        String hint;
        if (lt == ColumnType.BOOL || rt == ColumnType.BOOL) {
            hint = "a bool value is a predicate: filter on it as it is, or on its not()";
        } else if (lt == ColumnType.BINARY || rt == ColumnType.BINARY) {
            hint = "binary values do not compare in expressions: test them with isNull(), or in a filter function";
        } else if (lt == ColumnType.TIMESTAMP_MS || rt == ColumnType.TIMESTAMP_MS) {
            hint = "a timestamp[ms] value compares with a timestamp[ms] value or an integer literal (epoch milliseconds)";
        } else {
            hint = "a utf8 value compares with a string literal";
        }
        throw new IllegalArgumentException(e.text(input) + ": cannot compare " + lt + " with " + rt + " ("
                + describe(e.left) + " with " + describe(e.right) + "); " + hint);
    }

    /**
     * The type of {@code e}: as {@link ArithmeticKernel#resultType} says, failing naming the expression and its
     * operands; a timestamp[ms] only adds or subtracts integer milliseconds, or subtracts a timestamp[ms].
     */
    private ColumnType arithmeticType(Expr.Arithmetic e, ValueNode left, ValueNode right) {
        String text = e.text(input);
        if (left.type != ColumnType.TIMESTAMP_MS && right.type != ColumnType.TIMESTAMP_MS) {
            checkNumeric(text, e.left, left);
            checkNumeric(text, e.right, right);
            return ArithmeticKernel.resultType(left.type, right.type);
        }
        try {
            return ArithmeticKernel.resultType(left.type, e.op, right.type);
        } catch (IllegalArgumentException refused) {
            throw new IllegalArgumentException(text + ": a timestamp[ms] only adds or subtracts an integer"
                    + " (milliseconds) or subtracts a timestamp[ms], but this is " + describe(e.left) + " ("
                    + left.type + ") " + Expr.symbol(e.op) + " " + describe(e.right) + " (" + right.type + ")");
        }
    }

    private void checkNumeric(String text, Expr operand, ValueNode value) {
        if (!value.type.isNumeric()) {
            throw new IllegalArgumentException(text + ": arithmetic needs numeric fields, but " + describe(operand)
                    + " is " + value.type);
        }
    }

    /** An operand for an error message: {@code field 0 ('word')}, {@code the literal 'x'}, or its text. */
    private String describe(Expr e) {
        while (e instanceof Expr.Alias alias) {
            e = alias.operand;
        }
        if (e instanceof Expr.ColumnRef ref) {
            int index = ref.resolveIndex(input);
            return "field " + index + " ('" + input.column(index).name() + "')";
        }
        if (e instanceof Expr.Literal) {
            return "the literal " + e.text(input);
        }
        return e.text(input);
    }

    /** {@code node} where a single-operand kernel can read it: an input field stays in the input. */
    private ValueNode located(ValueNode node) {
        return node instanceof ValueNode.InputColumn ? node : inWork(node);
    }

    /** {@code node} in the work batch: a copy for an input field, its own slot for anything else. */
    private ValueNode inWork(ValueNode node) {
        if (node instanceof ValueNode.InputColumn field) {
            node = staged.computeIfAbsent(field.index, i -> new ValueNode.StagedColumn(field));
        }
        if (node.slot < 0) {
            node.slot = workColumns.size();
            workColumns.add(new Column(uniqueName(node.text), node.type, node.nullable));
        }
        return node;
    }

    /** Work columns are named by their expressions, for kernel errors; the same text twice gets a suffix. */
    private String uniqueName(String text) {
        String name = text;
        for (int k = 2; !workNames.add(name); k++) {
            name = text + "#" + k;
        }
        return name;
    }

    private static CompareOp mirrored(CompareOp op) {
        switch (op) {
            case LT: return CompareOp.GT;
            case LE: return CompareOp.GE;
            case GT: return CompareOp.LT;
            case GE: return CompareOp.LE;
            default: return op;
        }
    }
}
