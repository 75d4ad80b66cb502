package io.riffle.engine.internal.operator;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The open sessions by end, lowest first, so that a watermark finds the sessions it closes without looking at
 * the others. Entries (end, session, generation) lie in off-heap memory: in a few rings, each holding a run of
 * entries in order of end, or else in a binary min-heap. Records in time order open sessions in order of end,
 * and a subtask reading several channels interleaves a few such runs, so the rings take nearly every entry
 * at O(1) and the heap only the disorder beyond them. An entry may be stale (its session grew, or was merged
 * away and its record reused: the generation tells); the reader checks the session when it takes the entry.
 * Not part of a checkpoint: rebuilt from the sessions on restore. Owned by one thread.
 */
final class SessionEnds implements AutoCloseable {
    private static final int ENTRY = 16;
    private static final int RINGS = 8;
    private static final int HEAP = -1;
    private final BufferAllocator allocator;
    private final ArrowBuf[] rings = new ArrowBuf[RINGS];
    private final long[] ringBase = new long[RINGS];
    private final int[] ringCapacity = new int[RINGS];
    private final int[] ringFirst = new int[RINGS];
    private final int[] ringSize = new int[RINGS];
    private final long[] ringLastEnd = new long[RINGS];
    private ArrowBuf heap;
    private long heapBase;
    private int heapCapacity;
    private int heapSize;
    private int size;
    /** Bit r set while ring r holds entries. */
    private int activeRings;
    private int lastRing;
    /** Where the lowest entry is (a ring, or {@link #HEAP}), or -2 when it must be looked for again. */
    private int lowest = -2;
    private long lowestAt;

    SessionEnds(BufferAllocator allocator) {
        this.allocator = allocator;
        growHeap(1024);
    }

    int size() {
        return size;
    }

    /** The lowest end; only when {@link #size} is positive. */
    long peekEnd() {
        return MemoryUtil.getLong(lowestEntry());
    }

    /** The session of the lowest end. */
    int peekSession() {
        return (int) MemoryUtil.getLong(lowestEntry() + 8);
    }

    /** The generation of that session's record the entry was made for. */
    int peekGeneration() {
        return (int) (MemoryUtil.getLong(lowestEntry() + 8) >>> 32);
    }

    void push(long end, int session, int generation) {
        lowest = -2;
        size++;
        long tagged = ((long) generation << 32) | (session & 0xFFFFFFFFL);
        int r = lastRing;
        if (ringSize[r] == 0 || end < ringLastEnd[r]) {
            r = chooseRing(end);
            if (r < 0) {
                pushHeap(end, tagged);
                return;
            }
            lastRing = r;
        }
        if (ringSize[r] == ringCapacity[r]) {
            growRing(r, Math.max(1024, ringCapacity[r] * 2));
        }
        long at = ringBase[r] + (long) ((ringFirst[r] + ringSize[r]++) & (ringCapacity[r] - 1)) * ENTRY;
        MemoryUtil.putLong(at, end);
        MemoryUtil.putLong(at + 8, tagged);
        ringLastEnd[r] = end;
        activeRings |= 1 << r;
    }

    /**
     * The ring whose run ends closest below {@code end} (keeping runs long), else an empty one to start a run,
     * else -1. The ring used last is tried before this: in time order it takes every entry.
     */
    private int chooseRing(long end) {
        int best = -1;
        int empty = -1;
        for (int r = 0; r < RINGS; r++) {
            if (ringSize[r] == 0) {
                if (empty < 0) {
                    empty = r;
                }
            } else if (ringLastEnd[r] <= end && (best < 0 || ringLastEnd[r] > ringLastEnd[best])) {
                best = r;
            }
        }
        return best >= 0 ? best : empty;
    }

    /** Removes the lowest entry. */
    void pop() {
        lowestEntry();
        size--;
        if (lowest == HEAP) {
            popHeap();
        } else {
            ringFirst[lowest] = (ringFirst[lowest] + 1) & (ringCapacity[lowest] - 1);
            if (--ringSize[lowest] == 0) {
                activeRings &= ~(1 << lowest);
            }
        }
        lowest = -2;
    }

    private long lowestEntry() {
        if (lowest != -2) {
            return lowestAt;
        }
        lowest = HEAP;
        lowestAt = heapBase;
        long lowestEnd = heapSize > 0 ? MemoryUtil.getLong(heapBase) : Long.MAX_VALUE;
        for (int active = activeRings; active != 0; active &= active - 1) {
            int r = Integer.numberOfTrailingZeros(active);
            long at = ringBase[r] + (long) ringFirst[r] * ENTRY;
            long end = MemoryUtil.getLong(at);
            if (end < lowestEnd || (lowest == HEAP && heapSize == 0)) {
                lowest = r;
                lowestAt = at;
                lowestEnd = end;
            }
        }
        return lowestAt;
    }

    private void pushHeap(long end, long tagged) {
        if (heapSize == heapCapacity) {
            growHeap(heapCapacity * 2);
        }
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (MemoryUtil.getLong(heapBase + (long) parent * ENTRY) <= end) {
                break;
            }
            MemoryUtil.copyMemory(heapBase + (long) parent * ENTRY, heapBase + (long) i * ENTRY, ENTRY);
            i = parent;
        }
        MemoryUtil.putLong(heapBase + (long) i * ENTRY, end);
        MemoryUtil.putLong(heapBase + (long) i * ENTRY + 8, tagged);
    }

    private void popHeap() {
        heapSize--;
        if (heapSize == 0) {
            return;
        }
        long end = MemoryUtil.getLong(heapBase + (long) heapSize * ENTRY);
        long tagged = MemoryUtil.getLong(heapBase + (long) heapSize * ENTRY + 8);
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && MemoryUtil.getLong(heapBase + (long) (child + 1) * ENTRY)
                    < MemoryUtil.getLong(heapBase + (long) child * ENTRY)) {
                child++;
            }
            if (MemoryUtil.getLong(heapBase + (long) child * ENTRY) >= end) {
                break;
            }
            MemoryUtil.copyMemory(heapBase + (long) child * ENTRY, heapBase + (long) i * ENTRY, ENTRY);
            i = child;
        }
        MemoryUtil.putLong(heapBase + (long) i * ENTRY, end);
        MemoryUtil.putLong(heapBase + (long) i * ENTRY + 8, tagged);
    }

    private void growHeap(int entries) {
        ArrowBuf bigger = allocator.buffer((long) entries * ENTRY);
        if (heap != null) {
            MemoryUtil.copyMemory(heapBase, bigger.memoryAddress(), (long) heapSize * ENTRY);
            heap.close();
        }
        heap = bigger;
        heapBase = bigger.memoryAddress();
        heapCapacity = entries;
    }

    /** Ring {@code r} with room for {@code entries} (a power of two), its entries moved to its start. */
    private void growRing(int r, int entries) {
        ArrowBuf bigger = allocator.buffer((long) entries * ENTRY);
        for (int i = 0; i < ringSize[r]; i++) {
            MemoryUtil.copyMemory(ringBase[r] + (long) ((ringFirst[r] + i) & (ringCapacity[r] - 1)) * ENTRY,
                    bigger.memoryAddress() + (long) i * ENTRY, ENTRY);
        }
        if (rings[r] != null) {
            rings[r].close();
        }
        rings[r] = bigger;
        ringBase[r] = bigger.memoryAddress();
        ringCapacity[r] = entries;
        ringFirst[r] = 0;
    }

    @Override
    public void close() {
        if (heap != null) {
            heap.close();
            heap = null;
        }
        for (int r = 0; r < RINGS; r++) {
            if (rings[r] != null) {
                rings[r].close();
                rings[r] = null;
            }
        }
    }
}
