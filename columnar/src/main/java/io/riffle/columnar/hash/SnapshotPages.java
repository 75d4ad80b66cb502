package io.riffle.columnar.hash;

/**
 * An {@link OffHeapHashTable}'s side of copy-on-write snapshots: the last snapshot taken, and whether its
 * pages must still be preserved before accumulators change. While none must, the update paths pay one field
 * check per batch and nothing per row. Owner thread only.
 */
final class SnapshotPages {
    private TableSnapshot last;
    /** The open snapshot while it still reads pages of the live accumulator columns; null otherwise. */
    private TableSnapshot preserving;

    /**
     * Checks that the previous snapshot is closed, waiting for its writer to leave the live pages.
     *
     * @throws IllegalStateException the previous snapshot is still open
     */
    void checkCanTake() {
        if (last == null) {
            return;
        }
        if (!last.isClosed()) {
            throw new IllegalStateException("a snapshot of this table is still open; close it (written or "
                    + "aborted) before taking the next: a table keeps pages for one snapshot at a time");
        }
        // Closed while its writer was still reading live pages: that writer stops at its next page.
        last.awaitLivePagesReleased();
    }

    TableSnapshot taken(TableSnapshot snapshot) {
        last = snapshot;
        preserving = snapshot.needsCopyOnWrite() ? snapshot : null;
        return snapshot;
    }

    /** Whether pages must be preserved before accumulators change. */
    boolean preserving() {
        return preserving != null;
    }

    /**
     * Before the accumulators of {@code groupIds[0 .. n)} change: has the snapshot's pages among them
     * preserved, a pass over the group ids rather than a check in every update loop.
     */
    void preserve(int[] groupIds, int n) {
        if (!preserving.preserve(groupIds, n)) {
            preserving = null;
        }
    }

    /** The live columns moved (the snapshot kept the old memory) or the table closed: nothing to preserve. */
    void stopPreserving() {
        preserving = null;
    }
}
