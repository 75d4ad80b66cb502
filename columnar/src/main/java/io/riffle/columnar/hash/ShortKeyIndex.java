package io.riffle.columnar.hash;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * A cache in front of a utf8-keyed {@link OffHeapHashTable} for keys of up to 7 bytes: such a key and its
 * length pack into one long, found by a multiply-shift hash and one comparison, where the table would
 * XXH64-hash the bytes and compare them with its arena's copy. Word count's words are mostly 1 to 3 bytes.
 * It only ever holds keys the table has, with the table's group ids: it learns them from the table's answers
 * to batches that succeeded. Off-heap, open addressing, 16-byte entries
 * {@code (packed key, group + 1)}, at most three quarters full (four entries share a cache line, so a
 * longer probe seldom reads another; fewer lines keep more of the index in cache). Single-threaded: owned by
 * its table.
 */
final class ShortKeyIndex implements AutoCloseable {
    /** Keys longer than this do not pack: 7 bytes of key and one of length. */
    static final int MAX_LENGTH = 7;
    private static final int ENTRY_BYTES = 16;
    private static final int MIN_CAPACITY = 1 << 10;
    /** The bytes a new index holds. */
    static final long MIN_BYTES = (long) MIN_CAPACITY * ENTRY_BYTES;
    private static final long FIBONACCI = 0x9E3779B97F4A7C15L;

    private final BufferAllocator allocator;
    private ArrowBuf buffer;
    private long entries;
    private int capacity;
    private int shift;
    private int size;

    ShortKeyIndex(BufferAllocator allocator) {
        this.allocator = allocator;
        allocate(MIN_CAPACITY);
    }

    /** The off-heap bytes it holds. */
    long memoryUsed() {
        return (long) capacity * ENTRY_BYTES;
    }

    /** The bytes it would hold after learning {@code more} keys it does not have. */
    long memoryAfterAdding(int more) {
        long needed = (long) size + more;
        long c = capacity;
        while (needed > maxSize(c)) {
            c <<= 1;
        }
        return c * ENTRY_BYTES;
    }

    /**
     * Writes the group of each of the first {@code n} keys into {@code groupIds}, or -1 for a key too long
     * or not held; returns how many were not found.
     */
    int find(FieldVector keyVector, int n, int[] groupIds) {
        final long offsets = keyVector.getOffsetBufferAddress();
        final long data = keyVector.getDataBufferAddress();
        final long dataEnd = data + keyVector.getDataBuffer().capacity();
        final long table = entries;
        final int mask = capacity - 1;
        final int sh = shift;
        int missing = 0;
        int start = n == 0 ? 0 : MemoryUtil.getInt(offsets);
        for (int i = 0; i < n; i++) {
            int end = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2));
            long packed = packedKey(data, dataEnd, start, end);
            start = end;
            int found = -1;
            if (packed != NOT_SHORT) {
                int pos = (int) ((packed * FIBONACCI) >>> sh);
                while (true) {
                    long entry = table + ((long) pos << 4);
                    long group = MemoryUtil.getLong(entry + 8);
                    if (group == 0) {
                        break;
                    }
                    if (MemoryUtil.getLong(entry) == packed) {
                        found = (int) group - 1;
                        break;
                    }
                    pos = (pos + 1) & mask;
                }
            }
            groupIds[i] = found;
            missing += found >>> 31;
        }
        return missing;
    }

    /**
     * Learns the short keys among the first {@code n}, each with the group the table gave it; the caller has
     * checked with {@link #memoryAfterAdding} that growing fits its budget.
     */
    void learn(FieldVector keyVector, int n, int[] groupIds) {
        final long offsets = keyVector.getOffsetBufferAddress();
        final long data = keyVector.getDataBufferAddress();
        final long dataEnd = data + keyVector.getDataBuffer().capacity();
        int start = n == 0 ? 0 : MemoryUtil.getInt(offsets);
        for (int i = 0; i < n; i++) {
            int end = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2));
            long packed = packedKey(data, dataEnd, start, end);
            start = end;
            if (packed != NOT_SHORT) {
                if (size + 1 > maxSize(capacity)) {
                    grow();
                }
                put(packed, groupIds[i] + 1L);
            }
        }
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
            entries = 0;
        }
    }

    /** What {@link #packedKey} gives a key that does not pack; no packed key has a top byte above 7. */
    private static final long NOT_SHORT = -1L;

    /**
     * The key at data bytes {@code [start, end)}, its bytes (low {@code length} bytes of a little-endian
     * load) with its length in the top byte; {@link #NOT_SHORT} if it is too long or the 8-byte load would
     * pass {@code dataEnd}.
     */
    private static long packedKey(long data, long dataEnd, int start, int end) {
        int length = end - start;
        long address = data + start;
        if (length > MAX_LENGTH || address + Long.BYTES > dataEnd) {
            return NOT_SHORT;
        }
        return (MemoryUtil.getLong(address) & ~(-1L << (length << 3))) | ((long) length << 56);
    }

    private static long maxSize(long capacity) {
        return capacity - (capacity >>> 2);
    }

    private void put(long packed, long groupPlusOne) {
        final int mask = capacity - 1;
        int pos = (int) ((packed * FIBONACCI) >>> shift);
        while (true) {
            long entry = entries + ((long) pos << 4);
            if (MemoryUtil.getLong(entry + 8) == 0) {
                MemoryUtil.putLong(entry, packed);
                MemoryUtil.putLong(entry + 8, groupPlusOne);
                size++;
                return;
            }
            if (MemoryUtil.getLong(entry) == packed) {
                return;
            }
            pos = (pos + 1) & mask;
        }
    }

    private void grow() {
        ArrowBuf old = buffer;
        long oldEntries = entries;
        int oldCapacity = capacity;
        allocate(capacity << 1);
        size = 0;
        for (int pos = 0; pos < oldCapacity; pos++) {
            long entry = oldEntries + ((long) pos << 4);
            long group = MemoryUtil.getLong(entry + 8);
            if (group != 0) {
                put(MemoryUtil.getLong(entry), group);
            }
        }
        old.close();
    }

    private void allocate(int slots) {
        buffer = allocator.buffer((long) slots * ENTRY_BYTES);
        entries = buffer.memoryAddress();
        capacity = slots;
        shift = 64 - Integer.numberOfTrailingZeros(slots);
        MemoryUtil.setMemory(entries, (long) slots * ENTRY_BYTES, (byte) 0);
    }
}
