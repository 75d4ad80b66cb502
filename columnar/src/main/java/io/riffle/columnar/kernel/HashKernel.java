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
            case BINARY:
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
        long dataEnd = data + vector.getDataBuffer().capacity();
        long validity = Bits.nullsAddress(vector);
        int start = MemoryUtil.getInt(offsets);
        for (int i = 0; i < rowCount; i++) {
            int end = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2));
            long h = isNull(validity, i) ? NULL_HASH : hashBytes(data + start, end - start, dataEnd);
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
        long h = hashWords(address, length);
        long p = address + (length & ~7);
        long end = address + length;
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
        return avalanche(h);
    }

    /**
     * The same hash as {@link #hashBytes(long, int)}, faster for short keys when the memory up to
     * {@code readableEnd} (the end of the buffer holding the key) may be read: the key's last
     * {@code length % 8} bytes then come from one 8-byte load that may reach past the key, and are folded in
     * without a loop whose trip count varies from key to key.
     */
    static long hashBytes(long address, int length, long readableEnd) {
        long p = address + (length & ~7);
        if (p + 8 > readableEnd) {
            return hashBytes(address, length);
        }
        return avalanche(hashTail(hashWords(address, length), MemoryUtil.getLong(p), length & 7));
    }

    /** The XXH64 state after the length and every whole 8-byte word of the key, before its last bytes. */
    private static long hashWords(long address, int length) {
        long h = length >= 32 ? hashStripes(address, length) : P5;
        h += length;
        long p = address + (length & ~31);
        for (long end = address + (length & ~7); p < end; p += 8) {
            h ^= round(0, MemoryUtil.getLong(p));
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        return h;
    }

    /** The accumulators of the key's whole 32-byte stripes, merged; kept apart so that short keys inline small. */
    private static long hashStripes(long address, int length) {
        long v1 = P1 + P2;
        long v2 = P2;
        long v3 = 0;
        long v4 = -P1;
        for (long p = address, end = address + (length & ~31); p < end; p += 32) {
            v1 = round(v1, MemoryUtil.getLong(p));
            v2 = round(v2, MemoryUtil.getLong(p + 8));
            v3 = round(v3, MemoryUtil.getLong(p + 16));
            v4 = round(v4, MemoryUtil.getLong(p + 24));
        }
        long h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
        h = mergeRound(h, v1);
        h = mergeRound(h, v2);
        h = mergeRound(h, v3);
        return mergeRound(h, v4);
    }

    /**
     * XXH64's steps for the last {@code count} (0..7) bytes of a key, held in the low bytes of {@code word}.
     * The one-byte steps are all computed and each kept by a select, not looped over {@code count & 3} times:
     * the loop's exit is mispredicted when key lengths vary, while C2 may compile a select whose profile shows
     * no clear bias to a conditional move. The 4-byte step stays a branch: W4's words are almost all shorter
     * than 4 bytes, so it predicts well, and as a select it measured no faster.
     */
    private static long hashTail(long h, long word, int count) {
        long w = word;
        if (count >= 4) {
            h ^= (w & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            w >>>= 32;
        }
        int bytes = count & 3;
        long first = Long.rotateLeft(h ^ (w & 0xFFL) * P5, 11) * P1;
        h = bytes > 0 ? first : h;
        long second = Long.rotateLeft(h ^ ((w >>> 8) & 0xFFL) * P5, 11) * P1;
        h = bytes > 1 ? second : h;
        long third = Long.rotateLeft(h ^ ((w >>> 16) & 0xFFL) * P5, 11) * P1;
        return bytes > 2 ? third : h;
    }

    private static long avalanche(long hash) {
        long h = hash;
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
