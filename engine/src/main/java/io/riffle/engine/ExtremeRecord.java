package io.riffle.engine;

import io.riffle.columnar.batch.ColumnType;
import java.util.Arrays;

/**
 * Flink's {@code minBy}/{@code maxBy} as a reduce: of the record kept so far and the next one, the one whose
 * field holds the smaller (or larger) value; on a tie the kept one when {@code first}, else the next. A null
 * value never wins over a value (Flink's tuples hold no null). Values compare as Java's {@code compareTo} does,
 * binary values as unsigned bytes, lexicographically.
 */
final class ExtremeRecord implements ReduceFunction {
    private final int field;
    private final ColumnType type;
    private final boolean min;
    private final boolean first;

    ExtremeRecord(int field, ColumnType type, boolean min, boolean first) {
        this.field = field;
        this.type = type;
        this.min = min;
        this.first = first;
    }

    @Override
    public Record reduce(Record kept, Record next) {
        if (next.isNull(field)) {
            return kept;
        }
        if (kept.isNull(field)) {
            return next;
        }
        int c = compare(next, kept);
        if (c == 0) {
            return first ? kept : next;
        }
        return (min ? c < 0 : c > 0) ? next : kept;
    }

    private int compare(Record a, Record b) {
        return switch (type) {
            case INT32, INT64, TIMESTAMP_MS -> Long.compare(a.getLong(field), b.getLong(field));
            case FLOAT64 -> Double.compare(a.getDouble(field), b.getDouble(field));
            case BOOL -> Boolean.compare(a.getBoolean(field), b.getBoolean(field));
            case UTF8 -> a.getString(field).compareTo(b.getString(field));
            case BINARY -> Arrays.compareUnsigned((byte[]) a.field(field), (byte[]) b.field(field));
        };
    }
}
