package io.riffle.columnar.hash;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The utf8 key bytes of an {@link OffHeapHashTable}, appended in group order; a group's key entry names its
 * bytes by offset, never by address, so the arena can be written and read back as it is. Its owner checks
 * the budget and allocates; the arena only moves its bytes. Single-threaded.
 */
final class KeyArena {
    ArrowBuf buffer;
    long base;
    long capacity;
    long used;

    /** An empty arena of {@code capacityBytes} in {@code buffer}. */
    KeyArena(ArrowBuf buffer, long capacityBytes) {
        adopt(buffer, capacityBytes, 0);
    }

    /**
     * Holds {@code fresh} ({@code capacityBytes} of it) from now on, whose first {@code usedBytes} bytes are
     * keys; frees the buffer before.
     */
    void adopt(ArrowBuf fresh, long capacityBytes, long usedBytes) {
        if (buffer != null) {
            buffer.close();
        }
        buffer = fresh;
        base = fresh.memoryAddress();
        capacity = capacityBytes;
        used = usedBytes;
    }

    /** Copies the keys into {@code fresh}, of {@code capacityBytes}, and holds it instead. */
    void growInto(ArrowBuf fresh, long capacityBytes) {
        MemoryUtil.copyMemory(base, fresh.memoryAddress(), used);
        adopt(fresh, capacityBytes, used);
    }

    /** The capacity it would need to hold {@code needed} bytes: doubling from now. */
    long capacityFor(long needed) {
        long bytes = capacity;
        while (bytes < needed) {
            bytes <<= 1;
        }
        return bytes;
    }

    void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
            base = 0;
        }
    }
}
