package io.riffle.engine.internal.operator;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.OffHeapHashTable;
import io.riffle.columnar.kernel.HashKernel;

/**
 * The group of each row's key in a keyed operator's table: finds or inserts a batch's keys at once (the
 * table hashes them only if it needs to: not on its direct index of small integer keys). Its arrays grow
 * to the largest batch and are reused, so a steady stream allocates nothing.
 */
final class GroupLookup {
    private final int[] keyColumns;
    private long[] hashes = new long[0];
    private int[] groupIds = new int[0];
    /** The batch of the last {@link #groupIds} call, until its hashes are asked for; valid during that call. */
    private RecordBatch unhashed;

    GroupLookup(int keyField) {
        this.keyColumns = new int[] {keyField};
    }

    /**
     * The key hashes of the rows of the last {@link #groupIds} call, computed on the first ask; valid until
     * the next call, and to be asked for while that call's batch is.
     */
    long[] hashes() {
        if (unhashed != null) {
            HashKernel.hash(unhashed, keyColumns, hashes);
            unhashed = null;
        }
        return hashes;
    }

    /** The group id of every row of {@code batch}, in row order; valid until the next call. */
    int[] groupIds(RecordBatch batch, OffHeapHashTable table) {
        int n = batch.rowCount();
        if (hashes.length < n) {
            hashes = new long[n];
            groupIds = new int[n];
        }
        table.findOrInsert(batch, groupIds);
        unhashed = batch;
        return groupIds;
    }
}
