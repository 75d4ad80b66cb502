package io.riffle.columnar.hash;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;

/**
 * When a utf8 table keeps a {@link ShortKeyIndex} in front of its slots: made at the first batch, dropped
 * for good when most keys miss it batch after batch, when new keys keep coming, or when it would not fit the
 * table's budget. It learns groups only from batches that succeeded. Single-threaded: owned by its table.
 */
final class ShortKeyCache {
    /** Give up on the index after this many batches in a row it missed most keys of... */
    private static final int POOR_BATCHES = 16;
    /** ...or could not answer whole: new keys keep coming, and each such batch pays for both lookups. */
    private static final int FAILURES = 1024;

    private final BufferAllocator allocator;
    private ShortKeyIndex index;
    private boolean dropped;
    /** Batches in a row that {@link #index} could not answer whole. */
    private int failures;
    /** Batches in a row in which {@link #index} missed most keys. */
    private int poorBatches;

    /** A cache for a utf8 table ({@code enabled}); for any other, one that never answers. */
    ShortKeyCache(BufferAllocator allocator, boolean enabled) {
        this.allocator = allocator;
        this.dropped = !enabled;
    }

    /** The bytes the index holds: a cache, not written to files. */
    long bytes() {
        return index == null ? 0 : index.memoryUsed();
    }

    /**
     * Whether the index found every key of the batch, writing their groups; {@code roomLeft} is what the
     * table's budget leaves, in which a first index must fit.
     */
    boolean findAll(FieldVector keyVector, int n, int[] groupIds, long roomLeft) {
        if (dropped) {
            return false;
        }
        if (index == null) {
            if (ShortKeyIndex.MIN_BYTES > roomLeft) {
                dropped = true;
                return false;
            }
            try {
                index = new ShortKeyIndex(allocator);
            } catch (OutOfMemoryException e) {
                dropped = true;
                return false;
            }
        }
        int missing = index.find(keyVector, n, groupIds);
        if (missing == 0) {
            failures = 0;
            poorBatches = 0;
            return true;
        }
        poorBatches = missing > n >>> 1 ? poorBatches + 1 : 0;
        if (++failures >= FAILURES || poorBatches >= POOR_BATCHES) {
            drop();
        }
        return false;
    }

    /**
     * Teaches the index the batch's short keys, which the table has just given groups; {@code roomLeft} is
     * what the table's budget leaves besides the index.
     */
    void learn(FieldVector keyVector, int n, int[] groupIds, long roomLeft) {
        if (index == null) {
            return;
        }
        if (index.memoryAfterAdding(n) > roomLeft) {
            drop();
            return;
        }
        try {
            index.learn(keyVector, n, groupIds);
        } catch (OutOfMemoryException e) {
            drop();
        }
    }

    /** Frees the index for good. */
    void drop() {
        if (index != null) {
            index.close();
            index = null;
        }
        dropped = true;
    }
}
