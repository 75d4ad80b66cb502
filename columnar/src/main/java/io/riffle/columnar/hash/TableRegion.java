package io.riffle.columnar.hash;

import io.riffle.columnar.batch.ColumnType;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The one contiguous off-heap block of an {@link OffHeapHashTable} ({@code docs/hash-table-layout.md},
 * "Region"): header, slot array, then per group its hash, key and accumulators in dense columns indexed by
 * group id, every section 64-byte aligned. Holds the section addresses and the group count that the probe
 * loops ({@link HashSlots}, {@link DirectIndex}) read into locals once per batch. Owned by its table,
 * single-threaded.
 */
final class TableRegion {
    /** Bytes of a utf8 group's key entry: arena offset and length, both int64. */
    static final int UTF8_KEY_BYTES = 16;

    final boolean utf8Keys;
    /** Bytes of one group's key: 8 (an integer key widened to int64) or {@link #UTF8_KEY_BYTES}. */
    final int keyStride;
    /** log2 of a slot's bytes: 16-byte slots (key, group id) for integer keys, 8-byte (tag, group id) for utf8. */
    final int slotShift;
    final int headerBytes;
    /** Each accumulator column's address, by column. */
    final long[] accumulators;

    ArrowBuf buffer;
    long base;
    long bytes;
    /** Number of slots; a power of two. */
    int capacity;
    /** {@code 64 - log2(capacity)}: a hash's top bits are its home slot. */
    int shift;
    int maxGroups;
    int groupCount;
    long slots;
    long hashes;
    long keys;

    TableRegion(GroupBySpec spec) {
        this.utf8Keys = spec.keyType == ColumnType.UTF8;
        this.keyStride = utf8Keys ? UTF8_KEY_BYTES : 8;
        this.slotShift = utf8Keys ? 3 : 4;
        this.headerBytes = TableFileDescriptor.headerBytes(spec.aggregateCount());
        this.accumulators = new long[spec.accumulatorColumnCount()];
    }

    /** Bytes of a region of {@code slotCount} slots with room for {@code groups} groups. */
    long bytesFor(int slotCount, long groups) {
        return headerBytes + align64((long) slotCount << slotShift) + align64(groups << 3) + align64(groups * keyStride)
                + accumulators.length * align64(groups << 3);
    }

    /** Points every section at {@code fresh}, laid out for {@code slotCount} slots and {@code groupCapacity} groups. */
    void install(ArrowBuf fresh, int slotCount, int groupCapacity) {
        buffer = fresh;
        base = fresh.memoryAddress();
        capacity = slotCount;
        shift = 64 - Integer.numberOfTrailingZeros(slotCount);
        maxGroups = groupCapacity;
        bytes = bytesFor(slotCount, groupCapacity);
        long offset = headerBytes;
        slots = base + offset;
        offset += align64((long) slotCount << slotShift);
        hashes = base + offset;
        offset += align64((long) maxGroups << 3);
        keys = base + offset;
        offset += align64((long) maxGroups * keyStride);
        for (int c = 0; c < accumulators.length; c++) {
            accumulators[c] = base + offset;
            offset += align64((long) maxGroups << 3);
        }
    }

    /**
     * Moves the groups into {@code fresh}, laid out for {@code slotCount} slots and {@code groupCapacity}
     * groups, starting the groups beyond them at {@code identities} and every slot empty; returns the old
     * buffer for the caller to free once nothing reads it.
     */
    ArrowBuf moveTo(ArrowBuf fresh, int slotCount, int groupCapacity, long[] identities) {
        long oldHashes = hashes;
        long oldKeys = keys;
        long[] oldAccumulators = accumulators.clone();
        ArrowBuf old = buffer;
        install(fresh, slotCount, groupCapacity);
        MemoryUtil.copyMemory(oldHashes, hashes, (long) groupCount << 3);
        MemoryUtil.copyMemory(oldKeys, keys, (long) groupCount * keyStride);
        for (int c = 0; c < accumulators.length; c++) {
            MemoryUtil.copyMemory(oldAccumulators[c], accumulators[c], (long) groupCount << 3);
        }
        initializeGroups(groupCount, identities);
        clearSlots();
        return old;
    }

    /** Starts groups {@code from .. maxGroups - 1} at each column's identity (0, +inf, Long.MAX ...). */
    void initializeGroups(int from, long[] identities) {
        for (int c = 0; c < accumulators.length; c++) {
            long identity = identities[c];
            long start = accumulators[c] + ((long) from << 3);
            long length = (long) (maxGroups - from) << 3;
            if (identity == 0L) {
                MemoryUtil.setMemory(start, length, (byte) 0);
            } else {
                for (long p = start, end = start + length; p < end; p += 8) {
                    MemoryUtil.putLong(p, identity);
                }
            }
        }
    }

    void clearSlots() {
        MemoryUtil.setMemory(slots, (long) capacity << slotShift, (byte) 0);
    }

    /** The int64 key of group {@code g} (integer keys). */
    long longKey(int g) {
        return MemoryUtil.getLong(keys + ((long) g << 3));
    }

    long hash(int g) {
        return MemoryUtil.getLong(hashes + ((long) g << 3));
    }

    void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
            base = 0;
        }
    }

    boolean isClosed() {
        return buffer == null;
    }

    static long align64(long bytes) {
        return (bytes + 63) & ~63L;
    }
}
