package io.riffle.columnar.hash;

import io.riffle.columnar.kernel.HashKernel;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * Integer keys that lie in a dense range (ids, {@code i mod K}) looked up without hashing: one int32 per key
 * value from {@link #lowest}, holding the key's group id + 1 (0: no group), so that neighbouring keys touch
 * neighbouring memory. Empty (no memory) until the first keys; its owner checks the budget, allocates and
 * decides when keys are too sparse for it. Single-threaded.
 */
final class DirectIndex {
    /** The index may always cover this many key values, however few the groups. */
    private static final long MIN_SPAN = 1 << 16;
    /** Beyond that, at most this many key values per group: keys sparser than 1 in 8 are hashed. */
    private static final long SPAN_PER_GROUP = 8;
    private static final long MAX_SPAN = 1L << 28;

    private ArrowBuf buffer;
    long address;
    /** The key of entry 0. */
    long lowest;
    /** The number of entries: key values {@code lowest .. lowest + span - 1}. */
    long span;
    /** Set by {@link #probe} when it stopped at a key outside the index rather than for room. */
    boolean stoppedOutside;

    /** The most key values an index may cover for {@code groups} groups; sparser keys are hashed. */
    static long spanLimit(long groups) {
        return Math.min(MAX_SPAN, MIN_SPAN + SPAN_PER_GROUP * groups);
    }

    long bytes() {
        return span << 2;
    }

    boolean isEmpty() {
        return span == 0;
    }

    /**
     * Assigns groups to rows {@code row ..}, inserting new groups into {@code region} (hashing only their
     * keys, unless {@code hashIn} has them); returns the first row that needs a new group when none fits
     * or whose key lies outside the index ({@link #stoppedOutside}), or {@link HashSlots#NO_MORE_ROWS}.
     */
    int probe(TableRegion region, FieldVector keyVector, boolean int32, long[] hashIn, int[] groupIds, int row, int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final long index = address;
        final long low = lowest;
        final long entries = span;
        final long hashBase = region.hashes;
        final long keyBase = region.keys;
        final int limit = region.maxGroups;
        int count = region.groupCount;
        stoppedOutside = false;
        for (int i = row; i < n; i++) {
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            final long offset = key - low;
            // One unsigned comparison: a key below the index has a negative offset, a huge one unsigned.
            if (Long.compareUnsigned(offset, entries) >= 0) {
                region.groupCount = count;
                stoppedOutside = true;
                return i;
            }
            final long entry = index + (offset << 2);
            final int group = MemoryUtil.getInt(entry);
            if (group != 0) {
                groupIds[i] = group - 1;
                continue;
            }
            if (count == limit) {
                region.groupCount = count;
                return i;
            }
            MemoryUtil.putInt(entry, count + 1);
            MemoryUtil.putLong(keyBase + ((long) count << 3), key);
            MemoryUtil.putLong(hashBase + ((long) count << 3), hashIn == null ? HashKernel.hashLong(key) : hashIn[i]);
            groupIds[i] = count++;
        }
        region.groupCount = count;
        return HashSlots.NO_MORE_ROWS;
    }

    /** Looks up keys without inserting: -1 for a key not held. */
    void find(FieldVector keyVector, boolean int32, int[] groupIds, int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final long index = address;
        final long low = lowest;
        final long entries = span;
        for (int i = 0; i < n; i++) {
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            final long offset = key - low;
            groupIds[i] = offset >= 0 && offset < entries ? MemoryUtil.getInt(index + (offset << 2)) - 1 : -1;
        }
    }

    /** Takes the groups {@code from ..} of {@code region} out of the index again. */
    void removeFrom(TableRegion region, int from) {
        for (int g = region.groupCount - 1; g >= from; g--) {
            MemoryUtil.putInt(address + ((region.longKey(g) - lowest) << 2), 0);
        }
    }

    /**
     * Covers {@code span} keys from {@code lowest} with {@code fresh}, which must cover the keys covered now,
     * keeping their entries; frees the memory before.
     */
    void extendInto(ArrowBuf fresh, long newLowest, long newSpan) {
        long to = fresh.memoryAddress();
        MemoryUtil.setMemory(to, newSpan << 2, (byte) 0);
        if (!isEmpty()) {
            MemoryUtil.copyMemory(address, to + ((lowest - newLowest) << 2), span << 2);
        }
        adopt(fresh, newLowest, newSpan);
    }

    /** Indexes the groups of {@code region} in {@code fresh}, covering {@code newSpan} keys from {@code newLowest}. */
    void rebuildInto(ArrowBuf fresh, long newLowest, long newSpan, TableRegion region) {
        adopt(fresh, newLowest, newSpan);
        MemoryUtil.setMemory(address, newSpan << 2, (byte) 0);
        for (int g = 0; g < region.groupCount; g++) {
            MemoryUtil.putInt(address + ((region.longKey(g) - newLowest) << 2), g + 1);
        }
    }

    /** Holds {@code fresh}, already filled, covering {@code newSpan} keys from {@code newLowest}. */
    void adopt(ArrowBuf fresh, long newLowest, long newSpan) {
        close();
        buffer = fresh;
        address = fresh.memoryAddress();
        lowest = newLowest;
        span = newSpan;
    }

    /** Frees the memory: the index covers no key. */
    void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
            address = 0;
            span = 0;
        }
    }
}
