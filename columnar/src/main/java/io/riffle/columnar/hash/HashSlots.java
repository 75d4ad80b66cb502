package io.riffle.columnar.hash;

import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;

/**
 * The probe loops over a {@link TableRegion}'s slot array: open addressing with linear probing, a key's home
 * slot the top {@code log2(capacity)} bits of its hash. An integer slot holds (key, group id + 1), so that a
 * probe touches one cache line; a utf8 slot holds (hash tag, group id + 1) in one word, the tag compared
 * before the key bytes in the {@link KeyArena}. Static over addresses read into locals once per batch: the
 * hot loops make no call and no bounds check per row. 0 marks an empty slot.
 */
final class HashSlots {
    /** What the probe loops return when every row has its group. */
    static final int NO_MORE_ROWS = -1;

    private HashSlots() {
    }

    /**
     * Assigns groups to rows {@code row ..} of integer keys, inserting new ones; returns the first row that
     * needs a new group when none fits, or {@link #NO_MORE_ROWS}.
     */
    static int probeLong(TableRegion region, FieldVector keyVector, boolean int32, long[] hashIn, int[] groupIds,
                         int row, int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final long slotBase = region.slots;
        final long hashBase = region.hashes;
        final long keyBase = region.keys;
        final int mask = region.capacity - 1;
        final int sh = region.shift;
        final int limit = region.maxGroups;
        int count = region.groupCount;
        for (int i = row; i < n; i++) {
            final long h = hashIn[i];
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            int pos = (int) (h >>> sh);
            while (true) {
                final long slot = slotBase + ((long) pos << 4);
                final long group = MemoryUtil.getLong(slot + 8);
                if (group == 0L) {
                    if (count == limit) {
                        region.groupCount = count;
                        return i;
                    }
                    MemoryUtil.putLong(slot, key);
                    MemoryUtil.putLong(slot + 8, count + 1L);
                    MemoryUtil.putLong(keyBase + ((long) count << 3), key);
                    MemoryUtil.putLong(hashBase + ((long) count << 3), h);
                    groupIds[i] = count++;
                    break;
                }
                if (MemoryUtil.getLong(slot) == key) {
                    groupIds[i] = (int) group - 1;
                    break;
                }
                pos = (pos + 1) & mask;
            }
        }
        region.groupCount = count;
        return NO_MORE_ROWS;
    }

    /**
     * Like {@link #probeLong} for utf8 keys, whose bytes new groups append to {@code arena}; also stops at a
     * row whose key does not fit in the arena.
     */
    static int probeUtf8(TableRegion region, KeyArena arena, FieldVector keyVector, long[] hashIn, int[] groupIds,
                         int row, int n) {
        final long offsets = keyVector.getOffsetBufferAddress();
        final long keyData = keyVector.getDataBufferAddress();
        final long keyDataEnd = keyData + keyVector.getDataBuffer().capacity();
        final long slotBase = region.slots;
        final long hashBase = region.hashes;
        final long keyBase = region.keys;
        final long arenaAddr = arena.base;
        final long arenaCap = arena.capacity;
        final long arenaEnd = arenaAddr + arenaCap;
        final int mask = region.capacity - 1;
        final int sh = region.shift;
        final int limit = region.maxGroups;
        int count = region.groupCount;
        long used = arena.used;
        for (int i = row; i < n; i++) {
            final long h = hashIn[i];
            final int start = MemoryUtil.getInt(offsets + ((long) i << 2));
            final int length = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2)) - start;
            final long keyAddr = keyData + start;
            final int tag = (int) (h >>> 8);
            int pos = (int) (h >>> sh);
            while (true) {
                final long slot = MemoryUtil.getLong(slotBase + ((long) pos << 3));
                if (slot == 0L) {
                    if (count == limit || used + length > arenaCap) {
                        region.groupCount = count;
                        arena.used = used;
                        return i;
                    }
                    MemoryUtil.copyMemory(keyAddr, arenaAddr + used, length);
                    MemoryUtil.putLong(slotBase + ((long) pos << 3), ((long) tag << 32) | (count + 1L));
                    long entry = keyBase + (long) count * TableRegion.UTF8_KEY_BYTES;
                    MemoryUtil.putLong(entry, used);
                    MemoryUtil.putLong(entry + 8, length);
                    MemoryUtil.putLong(hashBase + ((long) count << 3), h);
                    used += length;
                    groupIds[i] = count++;
                    break;
                }
                if ((int) (slot >>> 32) == tag) {
                    final int g = (int) slot - 1;
                    long entry = keyBase + (long) g * TableRegion.UTF8_KEY_BYTES;
                    if (MemoryUtil.getLong(entry + 8) == length
                            && bytesEqual(arenaAddr + MemoryUtil.getLong(entry), arenaEnd, keyAddr, keyDataEnd,
                                    length)) {
                        groupIds[i] = g;
                        break;
                    }
                }
                pos = (pos + 1) & mask;
            }
        }
        region.groupCount = count;
        arena.used = used;
        return NO_MORE_ROWS;
    }

    /** Looks up integer keys without inserting: -1 for a key not held. A probe key of either width compares by value. */
    static void findLong(TableRegion region, FieldVector keyVector, boolean int32, long[] hashIn, int[] groupIds,
                         int n) {
        final long keyData = keyVector.getDataBufferAddress();
        final long slotBase = region.slots;
        final int mask = region.capacity - 1;
        final int sh = region.shift;
        for (int i = 0; i < n; i++) {
            final long key = int32 ? MemoryUtil.getInt(keyData + ((long) i << 2))
                    : MemoryUtil.getLong(keyData + ((long) i << 3));
            int pos = (int) (hashIn[i] >>> sh);
            int found = -1;
            while (true) {
                final long slot = slotBase + ((long) pos << 4);
                final long group = MemoryUtil.getLong(slot + 8);
                if (group == 0L) {
                    break;
                }
                if (MemoryUtil.getLong(slot) == key) {
                    found = (int) group - 1;
                    break;
                }
                pos = (pos + 1) & mask;
            }
            groupIds[i] = found;
        }
    }

    /** Looks up utf8 keys without inserting: -1 for a key not held. */
    static void findUtf8(TableRegion region, KeyArena arena, FieldVector keyVector, long[] hashIn, int[] groupIds,
                         int n) {
        final long offsets = keyVector.getOffsetBufferAddress();
        final long keyData = keyVector.getDataBufferAddress();
        final long keyDataEnd = keyData + keyVector.getDataBuffer().capacity();
        final long slotBase = region.slots;
        final long keyBase = region.keys;
        final long arenaAddr = arena.base;
        final long arenaEnd = arena.base + arena.capacity;
        final int mask = region.capacity - 1;
        final int sh = region.shift;
        for (int i = 0; i < n; i++) {
            final long h = hashIn[i];
            final int start = MemoryUtil.getInt(offsets + ((long) i << 2));
            final int length = MemoryUtil.getInt(offsets + ((long) (i + 1) << 2)) - start;
            final int tag = (int) (h >>> 8);
            int pos = (int) (h >>> sh);
            int found = -1;
            while (true) {
                final long slot = MemoryUtil.getLong(slotBase + ((long) pos << 3));
                if (slot == 0L) {
                    break;
                }
                if ((int) (slot >>> 32) == tag) {
                    final int g = (int) slot - 1;
                    long entry = keyBase + (long) g * TableRegion.UTF8_KEY_BYTES;
                    if (MemoryUtil.getLong(entry + 8) == length
                            && bytesEqual(arenaAddr + MemoryUtil.getLong(entry), arenaEnd, keyData + start, keyDataEnd,
                                    length)) {
                        found = g;
                        break;
                    }
                }
                pos = (pos + 1) & mask;
            }
            groupIds[i] = found;
        }
    }

    /** Enters every group into the empty slots by its stored hash, in group order. */
    static void insertAll(TableRegion region) {
        final int mask = region.capacity - 1;
        for (int g = 0; g < region.groupCount; g++) {
            long h = region.hash(g);
            int pos = (int) (h >>> region.shift);
            while (groupWord(region, pos) != 0L) {
                pos = (pos + 1) & mask;
            }
            long slot = region.slots + ((long) pos << region.slotShift);
            if (region.utf8Keys) {
                MemoryUtil.putLong(slot, ((h >>> 8) << 32) | (g + 1L));
            } else {
                MemoryUtil.putLong(slot, region.longKey(g));
                MemoryUtil.putLong(slot + 8, g + 1L);
            }
        }
    }

    /**
     * Takes groups {@code from ..} out of the slots again, newest first. With linear probing, removing the
     * newest entry cannot break an older entry's probe sequence (the older one was placed before this slot
     * was taken), so clearing slots in reverse insertion order restores the slots exactly.
     */
    static void removeFrom(TableRegion region, int from) {
        final int mask = region.capacity - 1;
        for (int g = region.groupCount - 1; g >= from; g--) {
            int pos = (int) (region.hash(g) >>> region.shift);
            while ((int) groupWord(region, pos) != g + 1) {
                pos = (pos + 1) & mask;
            }
            MemoryUtil.setMemory(region.slots + ((long) pos << region.slotShift), 1L << region.slotShift, (byte) 0);
        }
    }

    /** The word of slot {@code pos} holding the group id + 1 (0: empty); for utf8 its high half is the tag. */
    private static long groupWord(TableRegion region, int pos) {
        long slot = region.slots + ((long) pos << region.slotShift);
        return region.utf8Keys ? MemoryUtil.getLong(slot) : MemoryUtil.getLong(slot + 8);
    }

    /**
     * Whether the {@code length} bytes at {@code a} and {@code b} are equal; {@code aEnd} and {@code bEnd} end
     * the buffers holding them. The bytes after the last whole word are compared with one masked 8-byte load
     * from each key when both loads stay inside their buffers: a byte loop's trip count would change with
     * every short key and be mispredicted.
     */
    private static boolean bytesEqual(long a, long aEnd, long b, long bEnd, int length) {
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (MemoryUtil.getLong(a + i) != MemoryUtil.getLong(b + i)) {
                return false;
            }
        }
        if (a + i + 8 <= aEnd && b + i + 8 <= bEnd) {
            long tailMask = ~(-1L << ((length - i) << 3));
            return ((MemoryUtil.getLong(a + i) ^ MemoryUtil.getLong(b + i)) & tailMask) == 0;
        }
        for (; i < length; i++) {
            if (MemoryUtil.getByte(a + i) != MemoryUtil.getByte(b + i)) {
                return false;
            }
        }
        return true;
    }
}
