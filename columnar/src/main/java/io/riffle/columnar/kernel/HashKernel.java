package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * 64-bit hashes of key columns, a batch at a time. The hash of a value depends only on the value:
 * equal values hash equal across batches, runs and JVMs, and int32, int64 and timestamp columns
 * holding the same number hash the same. Integers go through the MurmurHash3 finalizer, strings
 * through XXH64 over their UTF-8 bytes, and several key columns are folded left to right.
 * Stateless; allocation-free.
 *
 * <pre>{@code
 * long[] hashes = new long[batch.rowCount()];
 * HashKernel.hash(batch, new int[] {0}, hashes);
 * }</pre>
 */
public final class HashKernel {
    /** The hash of a null value. */
    public static final long NULL_HASH = 0x2545F4914F6CDD1DL;

    private static final long SEED = 0x9E3779B97F4A7C15L;
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private HashKernel() {
    }

    /**
     * Writes into {@code out[0 .. rowCount)} the hash of the key columns {@code keyColumns} of every
     * physical row of {@code batch}. With one key column the hash is that column's value hash.
     */
    public static void hash(RecordBatch batch, int[] keyColumns, long[] out) {
        int rowCount = batch.rowCount();
        if (out.length < rowCount) {
            throw new IllegalArgumentException("hash output has room for " + out.length + " rows; the batch has "
                    + rowCount);
        }
        if (keyColumns.length == 0) {
            throw new IllegalArgumentException("at least one key column is needed");
        }
        hashColumn(batch, keyColumns[0], rowCount, out, false);
        for (int k = 1; k < keyColumns.length; k++) {
            hashColumn(batch, keyColumns[k], rowCount, out, true);
        }
    }

    private static void hashColumn(RecordBatch batch, int column, int rowCount, long[] out, boolean combine) {
        ColumnType type = batch.schema().column(column).type();
        FieldVector vector = batch.vector(column);
        switch (type) {
            case INT64:
            case TIMESTAMP_MS:
                hashInt64(vector, rowCount, out, combine);
                break;
            case INT32:
                hashInt32(vector, rowCount, out, combine);
                break;
            case FLOAT64:
                hashFloat64(vector, rowCount, out, combine);
                break;
            case BOOL:
                hashBool(vector, rowCount, out, combine);
                break;
            case UTF8:
                hashUtf8(vector, rowCount, out, combine);
                break;
            default:
                throw new IllegalArgumentException(batch.schema().describe(column) + " cannot be hashed");
        }
    }

    private static void hashInt64(FieldVector vector, int rowCount, long[] out, boolean combine) {
        long data = vector.getDataBufferAddress();
        long validity = Bits.nullsAddress(vector);
        for (int i = 0; i < rowCount; i++) {
            long h = isNull(validity, i) ? NULL_HASH : hashLong(MemoryUtil.getLong(data + ((long) i << 3)));
            out[i] = combine ? combine(out[i], h) : h;
        }
    }

    private static void hashInt32(FieldVector vector, int rowCount, long[] out, boolean combine) {
        long data = vector.getDataBufferAddress();
        long validity = Bits.nullsAddress(vector);
        for (int i = 0; i < rowCount; i++) {
            long h = isNull(validity, i) ? NULL_HASH : hashLong(MemoryUtil.getInt(data + ((long) i << 2)));
            out[i] = combine ? combine(out[i], h) : h;
        }
    }

    private static void hashFloat64(FieldVector vector, int rowCount, long[] out, boolean combine) {
        long data = vector.getDataBufferAddress();
        long validity = Bits.nullsAddress(vector);
        for (int i = 0; i < rowCount; i++) {
            long h = isNull(validity, i) ? NULL_HASH
                    : hashDouble(Double.longBitsToDouble(MemoryUtil.getLong(data + ((long) i << 3))));
            out[i] = combine ? combine(out[i], h) : h;
        }
    }

    private static void hashBool(FieldVector vector, int rowCount, long[] out, boolean combine) {
        long data = vector.getDataBufferAddress();
        long validity = Bits.nullsAddress(vector);
        for (int i = 0; i < rowCount; i++) {
            long h = isNull(validity, i) ? NULL_HASH : hashLong((MemoryUtil.getByte(data + (i >>> 3)) >>> (i & 7)) & 1);
            out[i] = combine ? combine(out[i], h) : h;
        }
    }

    private static void hashUtf8(FieldVector vector, int rowCount, long[] out, boolean combine) {
        long offsets = vector.getOffsetBufferAddress();
        long data = vector.getDataBufferAddress();
        long validity = Bits.nullsAddress(vector);
        int start = MemoryUtil.getInt(offsets);
        for (int i = 0; i < rowCount; i++) {
            int end = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2));
            long h = isNull(validity, i) ? NULL_HASH : hashBytes(data + start, end - start);
            out[i] = combine ? combine(out[i], h) : h;
            start = end;
        }
    }

    private static boolean isNull(long validity, int row) {
        return validity != 0L && ((MemoryUtil.getByte(validity + (row >>> 3)) >>> (row & 7)) & 1) == 0;
    }

    /** The hash of a 64-bit integer (also used for int32 and timestamp values). */
    public static long hashLong(long value) {
        long h = value ^ SEED;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    /** The hash of a double; -0.0 hashes as 0.0 and every NaN alike, matching value equality of keys. */
    public static long hashDouble(double value) {
        if (value == 0.0) {
            return hashLong(0L);
        }
        return hashLong(Double.doubleToLongBits(value));
    }

    /** Folds the hash of a further key column into the hash so far. */
    public static long combine(long hashSoFar, long columnHash) {
        return hashLong(hashSoFar * P1 + columnHash);
    }

    /** XXH64 (seed 0) of {@code length} bytes at off-heap {@code address}. */
    public static long hashBytes(long address, int length) {
        long end = address + length;
        long p = address;
        long h;
        if (length >= 32) {
            long v1 = P1 + P2;
            long v2 = P2;
            long v3 = 0;
            long v4 = -P1;
            long limit = end - 32;
            do {
                v1 = round(v1, MemoryUtil.getLong(p));
                v2 = round(v2, MemoryUtil.getLong(p + 8));
                v3 = round(v3, MemoryUtil.getLong(p + 16));
                v4 = round(v4, MemoryUtil.getLong(p + 24));
                p += 32;
            } while (p <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = mergeRound(h, v1);
            h = mergeRound(h, v2);
            h = mergeRound(h, v3);
            h = mergeRound(h, v4);
        } else {
            h = P5;
        }
        h += length;
        while (p + 8 <= end) {
            h ^= round(0, MemoryUtil.getLong(p));
            h = Long.rotateLeft(h, 27) * P1 + P4;
            p += 8;
        }
        if (p + 4 <= end) {
            h ^= (MemoryUtil.getInt(p) & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            p += 4;
        }
        while (p < end) {
            h ^= (MemoryUtil.getByte(p) & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
            p++;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private static long round(long acc, long input) {
        acc += input * P2;
        acc = Long.rotateLeft(acc, 31);
        return acc * P1;
    }

    private static long mergeRound(long acc, long val) {
        acc ^= round(0, val);
        return acc * P1 + P4;
    }
}
