package io.riffle.connector.kafka;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;

/**
 * The fixed-width little-endian layout of a schema: its fields one after the other, int32 in 4 bytes, int64,
 * float64 and timestamp[ms] in 8, bool in 1 (0 or 1); no utf8 and no nulls.
 */
final class FixedWidthLayout {
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    final ColumnType[] types;
    final int[] offsets;
    final int width;

    FixedWidthLayout(BatchSchema schema) {
        types = new ColumnType[schema.columnCount()];
        offsets = new int[types.length];
        int at = 0;
        for (int c = 0; c < types.length; c++) {
            types[c] = schema.column(c).type();
            offsets[c] = at;
            at += widthOf(types[c], schema.column(c).name());
        }
        width = at;
    }

    private static int widthOf(ColumnType type, String field) {
        return switch (type) {
            case INT32 -> 4;
            case INT64, FLOAT64, TIMESTAMP_MS -> 8;
            case BOOL -> 1;
            default -> throw new IllegalArgumentException("field '" + field + "' is " + type
                    + ": a fixed-width layout holds only int32, int64, float64, bool and timestamp[ms]");
        };
    }
}
