package io.riffle.columnar.hash;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.Validity;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * One aggregate of a {@link GroupBySpec} kept in fixed-width off-heap records that the caller lays out and owns
 * (a session window's sessions, say) instead of in an {@link OffHeapHashTable}'s columns, with the table's
 * rules (a min or max never chooses NaN; a result is null where only nulls came, except a count's).
 * {@link #BYTES} at {@code offset} of each record: a value word (the sum, min or max, as the table keeps it),
 * then a count word (the non-null inputs, or the rows for {@code count()}). The loop for the aggregate's kind
 * and input type is chosen once, when made; each call runs it over a whole batch. Immutable.
 *
 * <pre>{@code
 * Accumulator sum = Accumulator.of(spec, 0, HEADER_BYTES);
 * sum.reset(record);                          // a new record: the identity, no input yet
 * sum.accumulate(batch, recordOfRow, n);      // row i into the record at recordOfRow[i]
 * sum.merge(into, from);                      // two records' accumulators as one
 * sum.writeResults(records, m, out);          // the results of m records into a vector
 * }</pre>
 */
public final class Accumulator {
    /** The bytes of one accumulator in a record: a value word and a count word. */
    public static final int BYTES = 16;
    /** In the record addresses given to {@link #accumulate}: the row goes into no record. */
    public static final long NO_RECORD = 0L;

    /** The update loop, chosen by kind and input type. */
    private enum Loop {
        COUNT_ROWS, COUNT_VALUES, SUM_LONG, SUM_INT, SUM_DOUBLE,
        MIN_LONG, MAX_LONG, MIN_INT, MAX_INT, MIN_DOUBLE, MAX_DOUBLE
    }

    private final AggregateKind kind;
    private final ColumnType input;
    private final int field;
    private final boolean nullable;
    private final int offset;
    private final long identity;
    private final Loop loop;

    private Accumulator(GroupBySpec spec, int aggregate, int offset) {
        this.kind = spec.kinds[aggregate];
        this.input = spec.inputTypes[aggregate];
        this.field = spec.inputFields[aggregate];
        this.nullable = spec.inputNullable[aggregate];
        this.offset = offset;
        this.identity = Accumulate.identity(kind, input);
        this.loop = loop(kind, field < 0 ? null : input);
    }

    /** Aggregate {@code aggregate} of {@code spec}, kept at {@code offset} of each record. */
    public static Accumulator of(GroupBySpec spec, int aggregate, int offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("accumulator offset " + offset + " is negative");
        }
        return new Accumulator(spec, aggregate, offset);
    }

    private static Loop loop(AggregateKind kind, ColumnType input) {
        if (kind == AggregateKind.COUNT) {
            return input == null ? Loop.COUNT_ROWS : Loop.COUNT_VALUES;
        }
        boolean dbl = input == ColumnType.FLOAT64;
        boolean int32 = input == ColumnType.INT32;
        switch (kind) {
            case SUM:
            case AVG:
                return dbl ? Loop.SUM_DOUBLE : int32 ? Loop.SUM_INT : Loop.SUM_LONG;
            case MIN:
                return dbl ? Loop.MIN_DOUBLE : int32 ? Loop.MIN_INT : Loop.MIN_LONG;
            case MAX:
                return dbl ? Loop.MAX_DOUBLE : int32 ? Loop.MAX_INT : Loop.MAX_LONG;
            default:
                throw new IllegalStateException("unknown aggregate " + kind);
        }
    }

    /** Starts the accumulator of the record at {@code record} over: the identity, no input. */
    public void reset(long record) {
        MemoryUtil.putLong(record + offset, identity);
        MemoryUtil.putLong(record + offset + 8, 0L);
    }

    /**
     * Adds row {@code i} of {@code batch} ({@code i < n}) to the accumulator of the record at {@code records[i]},
     * or to none where that is {@link #NO_RECORD}; rows of one record are added in row order.
     */
    public void accumulate(RecordBatch batch, long[] records, int n) {
        if (loop == Loop.COUNT_ROWS) {
            Accumulate.countRowsAt(records, offset, n);
            return;
        }
        FieldVector in = batch.vector(field);
        long data = in.getDataBufferAddress();
        long validity = nullable && Validity.hasNulls(in) ? in.getValidityBufferAddress() : 0L;
        switch (loop) {
            case COUNT_VALUES -> Accumulate.countValuesAt(records, offset, validity, n);
            case SUM_LONG -> Accumulate.sumLongAt(records, offset, data, validity, n);
            case SUM_INT -> Accumulate.sumIntAt(records, offset, data, validity, n);
            case SUM_DOUBLE -> Accumulate.sumDoubleAt(records, offset, data, validity, n);
            case MIN_LONG -> Accumulate.minLongAt(records, offset, data, validity, n);
            case MAX_LONG -> Accumulate.maxLongAt(records, offset, data, validity, n);
            case MIN_INT -> Accumulate.minIntAt(records, offset, data, validity, n);
            case MAX_INT -> Accumulate.maxIntAt(records, offset, data, validity, n);
            case MIN_DOUBLE -> Accumulate.minDoubleAt(records, offset, data, validity, n);
            case MAX_DOUBLE -> Accumulate.maxDoubleAt(records, offset, data, validity, n);
            default -> throw new IllegalStateException("unknown accumulator loop " + loop);
        }
    }

    /** Adds the accumulator of the record at {@code from} into the one at {@code into}, as if its inputs came there. */
    public void merge(long into, long from) {
        long fromCount = MemoryUtil.getLong(from + offset + 8);
        if (fromCount == 0L) {
            return;
        }
        long value = into + offset;
        long v = MemoryUtil.getLong(value);
        long w = MemoryUtil.getLong(from + offset);
        switch (loop) {
            case SUM_LONG, SUM_INT -> MemoryUtil.putLong(value, v + w);
            case SUM_DOUBLE -> MemoryUtil.putLong(value,
                    Double.doubleToRawLongBits(Double.longBitsToDouble(v) + Double.longBitsToDouble(w)));
            case MIN_LONG, MIN_INT -> MemoryUtil.putLong(value, Math.min(v, w));
            case MAX_LONG, MAX_INT -> MemoryUtil.putLong(value, Math.max(v, w));
            // Never NaN: neither record ever chose one.
            case MIN_DOUBLE -> MemoryUtil.putLong(value, Double.longBitsToDouble(w) < Double.longBitsToDouble(v) ? w : v);
            case MAX_DOUBLE -> MemoryUtil.putLong(value, Double.longBitsToDouble(w) > Double.longBitsToDouble(v) ? w : v);
            default -> {
                // A count keeps only its count word.
            }
        }
        MemoryUtil.putLong(value + 8, MemoryUtil.getLong(value + 8) + fromCount);
    }

    /**
     * Writes the results of the records at {@code records[0 .. n)} into {@code out}, a vector of the aggregate's
     * output type ({@link GroupBySpec#outputSchema}) with room for {@code n} values.
     */
    public void writeResults(long[] records, int n, FieldVector out) {
        Results.writeAt(kind, input, records, offset, n, out);
    }
}
