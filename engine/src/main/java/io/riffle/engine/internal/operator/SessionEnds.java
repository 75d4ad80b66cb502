package io.riffle.engine.internal.operator;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The open sessions by end, lowest first: a binary min-heap of (end, session, generation) in off-heap memory,
 * so that a watermark finds the sessions it closes without looking at the others. An entry may be stale (its
 * session grew, or was merged away and its record reused: the generation tells); the reader checks the
 * session when it takes the entry. Not part of a checkpoint:
 * rebuilt from the sessions on restore. Owned by one thread.
 */
final class SessionEnds implements AutoCloseable {
    private static final int ENTRY = 16;
    private final BufferAllocator allocator;
    private ArrowBuf heap;
    private long base;
    private int capacity;
    private int size;

    SessionEnds(BufferAllocator allocator) {
        this.allocator = allocator;
        grow(1024);
    }

    int size() {
        return size;
    }

    /** The lowest end; only when {@link #size} is positive. */
    long peekEnd() {
        return MemoryUtil.getLong(base);
    }

    /** The session of the lowest end. */
    int peekSession() {
        return (int) MemoryUtil.getLong(base + 8);
    }

    /** The generation of that session's record the entry was made for. */
    int peekGeneration() {
        return (int) (MemoryUtil.getLong(base + 8) >>> 32);
    }

    void push(long end, int session, int generation) {
        if (size == capacity) {
            grow(capacity * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long parentEnd = MemoryUtil.getLong(base + (long) parent * ENTRY);
            if (parentEnd <= end) {
                break;
            }
            copy(parent, i);
            i = parent;
        }
        MemoryUtil.putLong(base + (long) i * ENTRY, end);
        MemoryUtil.putLong(base + (long) i * ENTRY + 8, ((long) generation << 32) | (session & 0xFFFFFFFFL));
    }

    /** Removes the lowest entry. */
    void pop() {
        size--;
        if (size == 0) {
            return;
        }
        long end = MemoryUtil.getLong(base + (long) size * ENTRY);
        long session = MemoryUtil.getLong(base + (long) size * ENTRY + 8);
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && MemoryUtil.getLong(base + (long) (child + 1) * ENTRY)
                    < MemoryUtil.getLong(base + (long) child * ENTRY)) {
                child++;
            }
            if (MemoryUtil.getLong(base + (long) child * ENTRY) >= end) {
                break;
            }
            copy(child, i);
            i = child;
        }
        MemoryUtil.putLong(base + (long) i * ENTRY, end);
        MemoryUtil.putLong(base + (long) i * ENTRY + 8, session);
    }

    private void copy(int from, int to) {
        MemoryUtil.copyMemory(base + (long) from * ENTRY, base + (long) to * ENTRY, ENTRY);
    }

    private void grow(int entries) {
        ArrowBuf bigger = allocator.buffer((long) entries * ENTRY);
        if (heap != null) {
            MemoryUtil.copyMemory(base, bigger.memoryAddress(), (long) size * ENTRY);
            heap.close();
        }
        heap = bigger;
        base = bigger.memoryAddress();
        capacity = entries;
    }

    @Override
    public void close() {
        if (heap != null) {
            heap.close();
            heap = null;
        }
    }
}
