package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.HashKernel;

/**
 * The group of each row's key in a keyed operator's table: hashes the key column a batch at a time, then
 * finds or inserts every key. Its arrays grow to the largest batch and are reused, so a steady stream
 * allocates nothing.
 */
final class GroupLookup {
    private final int[] keyColumns;
    private long[] hashes = new long[0];
    private int[] groupIds = new int[0];

    GroupLookup(int keyField) {
        this.keyColumns = new int[] {keyField};
    }

    /** The key hashes of the rows of the last {@link #groupIds} call; valid until the next call. */
    long[] hashes() {
        return hashes;
    }

    /** The group id of every row of {@code batch}, in row order; valid until the next call. */
    int[] groupIds(RecordBatch batch, OffHeapHashTable table) {
        int n = batch.rowCount();
        if (hashes.length < n) {
            hashes = new long[n];
            groupIds = new int[n];
        }
        HashKernel.hash(batch, keyColumns, hashes);
        table.findOrInsert(batch, hashes, groupIds);
        return groupIds;
    }
}
