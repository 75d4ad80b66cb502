package io.riffle.engine.internal.operator;

import java.util.Arrays;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.columnar.hash.GroupBySpec;
import io.riffle.columnar.hash.OffHeapHashTable;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.util.VectorAppender;

/**
 * Rows of one schema appended into one columnar store, each chained under its key: the keys are in an
 * off-heap table, and per key group id the last row, per row the row before it with the same key. The
 * build side of a batch hash join and a segment of a stream join's buffer. One thread appends; the rows
 * appended so far may then be read by any thread once no more are appended.
 */
final class KeyedRows implements AutoCloseable {
    static final int NO_ROW = -1;

    private final OffHeapHashTable keys;
    /** The store, as a batch owning its vectors; its row count follows the appends. */
    private final RecordBatch rows;
    private final FieldVector[] vectors;
    private int rowCount;
    private int[] head = new int[1024];
    private int[] next = new int[1024];
    private int[] groupIds = new int[1024];

    KeyedRows(BatchSchema schema, int keyField, BufferAllocator allocator, long budgetBytes) {
        this.vectors = new FieldVector[schema.columnCount()];
        try {
            for (int c = 0; c < vectors.length; c++) {
                vectors[c] = schema.toArrow().getFields().get(c).createVector(allocator);
                vectors[c].allocateNew();
            }
        } catch (RuntimeException e) {
            for (FieldVector v : vectors) {
                if (v != null) {
                    v.close();
                }
            }
            throw e;
        }
        this.rows = RecordBatch.wrap(schema, vectors, 0);
        OffHeapHashTable table;
        try {
            table = new OffHeapHashTable(GroupBySpec.of(schema, keyField, Aggregate.count()), allocator, budgetBytes);
        } catch (RuntimeException e) {
            rows.close();
            throw e;
        }
        this.keys = table;
        Arrays.fill(head, NO_ROW);
    }

    int rowCount() {
        return rowCount;
    }

    /** The distinct keys appended: groups {@code 0 .. keyCount() - 1}, in order of first appearance. */
    int keyCount() {
        return keys.groupCount();
    }

    /** Off-heap bytes held: the rows' buffers and the key table. */
    long bytes() {
        long bytes = keys.memoryUsed();
        for (FieldVector v : vectors) {
            for (ArrowBuf b : v.getBuffers(false)) {
                bytes += b.capacity();
            }
        }
        return bytes;
    }

    /** The rows appended so far, as a batch (valid until the next append; not to be closed). */
    RecordBatch rows() {
        return rows;
    }

    /** Appends every row of {@code batch} (dense, of this schema, no null key) and chains each under its key. */
    void append(RecordBatch batch) {
        int n = batch.rowCount();
        if (n == 0) {
            return;
        }
        if (groupIds.length < n) {
            groupIds = new int[n];
        }
        keys.findOrInsert(batch, groupIds);
        for (int c = 0; c < vectors.length; c++) {
            VectorAppender appender = new VectorAppender(vectors[c]);
            batch.vector(c).accept(appender, null);
        }
        if (next.length < rowCount + n) {
            next = Arrays.copyOf(next, Math.max(rowCount + n, next.length * 2));
        }
        if (head.length < keys.groupCount()) {
            int old = head.length;
            head = Arrays.copyOf(head, Math.max(keys.groupCount(), old * 2));
            Arrays.fill(head, old, head.length, NO_ROW);
        }
        for (int i = 0; i < n; i++) {
            int row = rowCount + i;
            next[row] = head[groupIds[i]];
            head[groupIds[i]] = row;
        }
        rowCount += n;
        rows.setRowCount(rowCount);
    }

    /**
     * Looks up the keys of the first {@code n} rows of {@code keyVector} (of the key's type, or for an integer
     * key of any integer type, compared by value), whose hashes are {@code probeHashes} (null when {@link #needsHashes} is false):
     * {@code out[i]} is the key's group, or negative when absent (and for a null key).
     */
    void find(FieldVector keyVector, int n, long[] probeHashes, int[] out) {
        keys.find(keyVector, n, probeHashes, out);
    }

    /** Whether {@link #find} needs the keys' hashes: not while the keys are small integers on a direct index. */
    boolean needsHashes() {
        return !keys.isDirect();
    }

    /** The last row appended under group {@code group}, or {@link #NO_ROW}. */
    int last(int group) {
        return head[group];
    }

    /** The row appended before {@code row} under the same key, or {@link #NO_ROW}. */
    int previous(int row) {
        return next[row];
    }

    @Override
    public void close() {
        rows.close();
        keys.close();
    }
}
