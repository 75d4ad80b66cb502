package io.riffle.columnar.batch;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * The column types a {@link RecordBatch} can hold, each mapped to one Arrow vector type.
 *
 * <pre>{@code
 * Column price = Column.of("price", ColumnType.FLOAT64);
 * }</pre>
 */
public enum ColumnType {
    /** 32-bit signed integer ({@code IntVector}). */
    INT32("int32", 4, new ArrowType.Int(32, true)),
    /** 64-bit signed integer ({@code BigIntVector}). */
    INT64("int64", 8, new ArrowType.Int(64, true)),
    /** IEEE 754 double ({@code Float8Vector}). */
    FLOAT64("float64", 8, new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
    /** Boolean, one bit per value ({@code BitVector}). */
    BOOL("bool", 0, ArrowType.Bool.INSTANCE),
    /** Variable-width UTF-8 string ({@code VarCharVector}). */
    UTF8("utf8", -1, ArrowType.Utf8.INSTANCE),
    /** Milliseconds since the epoch, no time zone ({@code TimeStampMilliVector}). */
    TIMESTAMP_MS("timestamp[ms]", 8, new ArrowType.Timestamp(TimeUnit.MILLISECOND, null)),
    /** Variable-width raw bytes ({@code VarBinaryVector}); row values are {@code byte[]}. */
    BINARY("binary", -1, ArrowType.Binary.INSTANCE);

    // values() copies its array on every call; kernels check output types once per batch.
    private static final ColumnType[] ALL = values();

    private final String displayName;
    private final int byteWidth;
    private final ArrowType arrowType;

    ColumnType(String displayName, int byteWidth, ArrowType arrowType) {
        this.displayName = displayName;
        this.byteWidth = byteWidth;
        this.arrowType = arrowType;
    }

    /** Bytes per value in the data buffer: 0 for bit-packed bool, -1 for variable width. */
    public int byteWidth() {
        return byteWidth;
    }

    /** True for the types arithmetic and sums apply to: int32, int64 and float64. */
    public boolean isNumeric() {
        return this == INT32 || this == INT64 || this == FLOAT64;
    }

    /** True for the types whose values are 64-bit or 32-bit integers in the data buffer. */
    public boolean isIntegral() {
        return this == INT32 || this == INT64 || this == TIMESTAMP_MS;
    }

    /** The Arrow type a vector of this column has. */
    public ArrowType arrowType() {
        return arrowType;
    }

    /** The type behind an Arrow type, or an error naming the Arrow type when Riffle does not support it. */
    public static ColumnType fromArrow(ArrowType type) {
        for (ColumnType t : ALL) {
            if (t.arrowType.equals(type)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported Arrow type " + type
                + "; Riffle columns are int32, int64, float64, bool, utf8, binary and timestamp[ms] without time zone");
    }

    @Override
    public String toString() {
        return displayName;
    }
}
