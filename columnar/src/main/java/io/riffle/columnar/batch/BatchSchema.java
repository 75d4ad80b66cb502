package io.riffle.columnar.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The ordered, named and typed columns of a {@link RecordBatch}. Immutable.
 *
 * <pre>{@code
 * BatchSchema schema = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count", ColumnType.INT64));
 * int count = schema.indexOf("count");   // 1
 * }</pre>
 */
public final class BatchSchema {
    private final Column[] columns;
    private final Schema arrowSchema;

    private BatchSchema(Column[] columns) {
        this.columns = columns;
        List<Field> fields = new ArrayList<>(columns.length);
        for (int i = 0; i < columns.length; i++) {
            Column c = columns[i];
            for (int j = 0; j < i; j++) {
                if (columns[j].name().equals(c.name())) {
                    throw new IllegalArgumentException("duplicate field name '" + c.name() + "' at positions "
                            + j + " and " + i);
                }
            }
            fields.add(new Field(c.name(), new FieldType(c.nullable(), c.type().arrowType(), null), null));
        }
        this.arrowSchema = new Schema(fields);
    }

    /** A schema of the given columns, in order. Names must be unique. */
    public static BatchSchema of(Column... columns) {
        return new BatchSchema(columns.clone());
    }

    /** A schema of the given columns, in order. Names must be unique. */
    public static BatchSchema of(List<Column> columns) {
        return new BatchSchema(columns.toArray(new Column[0]));
    }

    /** The Riffle schema of an Arrow schema; fails naming the field whose type Riffle does not support. */
    public static BatchSchema fromArrow(Schema schema) {
        List<Field> fields = schema.getFields();
        Column[] columns = new Column[fields.size()];
        for (int i = 0; i < columns.length; i++) {
            Field f = fields.get(i);
            ColumnType type;
            try {
                type = ColumnType.fromArrow(f.getType());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("field " + i + " ('" + f.getName() + "'): " + e.getMessage(), e);
            }
            columns[i] = new Column(f.getName(), type, f.isNullable());
        }
        return new BatchSchema(columns);
    }

    public int columnCount() {
        return columns.length;
    }

    /** The column at {@code index}; an out-of-range index is an error that lists the schema. */
    public Column column(int index) {
        return columns[checkIndex(index)];
    }

    /** {@code index} itself, or an error naming the index and the fields there are. */
    public int checkIndex(int index) {
        if (index < 0 || index >= columns.length) {
            throw new IllegalArgumentException("field index " + index + " is out of range: the schema has "
                    + columns.length + (columns.length == 1 ? " field " : " fields ") + this);
        }
        return index;
    }

    /** The position of the column named {@code name}, or an error listing the fields there are. */
    public int indexOf(String name) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no field named '" + name + "': the schema has " + this);
    }

    /**
     * Why {@code row} is not a row of this schema, or null when it is: the number of fields, or the first field
     * whose value its column cannot hold ({@link #misfit(int, Object)}). Allocates nothing when the row fits.
     */
    public String misfit(Row row) {
        int arity = row.arity();
        if (arity != columns.length) {
            return "it has " + arity + (arity == 1 ? " field" : " fields") + ", not " + columns.length;
        }
        for (int c = 0; c < arity; c++) {
            String wrong = misfit(c, row.field(c));
            if (wrong != null) {
                return describe(c) + ": " + wrong;
            }
        }
        return null;
    }

    /**
     * Why column {@code index} cannot hold {@code value}, or null when it can: {@code null in a non-nullable
     * field} or {@code cannot store String value 'x'}. int32 holds Integer, Short, Byte; int64 those and Long;
     * float64 Double, Float and the int32 types; bool Boolean; utf8 any CharSequence; timestamp[ms] Long
     * (epoch milliseconds) or Instant.
     */
    public String misfit(int index, Object value) {
        Column column = columns[index];
        if (value == null) {
            return column.nullable() ? null : "null in a non-nullable field";
        }
        boolean fits = switch (column.type()) {
            case INT32 -> value instanceof Integer || value instanceof Short || value instanceof Byte;
            case INT64 -> value instanceof Long || value instanceof Integer || value instanceof Short
                    || value instanceof Byte;
            case FLOAT64 -> value instanceof Double || value instanceof Float || value instanceof Integer
                    || value instanceof Short || value instanceof Byte;
            case BOOL -> value instanceof Boolean;
            case UTF8 -> value instanceof CharSequence;
            case TIMESTAMP_MS -> value instanceof Long || value instanceof Instant;
            case BINARY -> value instanceof byte[];
        };
        return fits ? null
                : "cannot store " + value.getClass().getSimpleName() + " value '" + Values.format(value) + "'";
    }

    /** A short description of field {@code index} for error messages: {@code field 1 ('price', float64)}. */
    public String describe(int index) {
        Column c = column(index);
        return "field " + index + " ('" + c.name() + "', " + c.type() + ")";
    }

    /** The equivalent Arrow schema. */
    public Schema toArrow() {
        return arrowSchema;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchSchema other && Arrays.equals(columns, other.columns);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(columns);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < columns.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(columns[i].name()).append(": ").append(columns[i].type());
        }
        return sb.append(')').toString();
    }
}
