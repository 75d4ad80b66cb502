package io.riffle.columnar.kernel;

import java.util.Arrays;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;

/**
 * Routes a batch's rows to {@code parallelism} partitions by the key group of their hash
 * ({@link KeyGroups}): {@link #assign} sorts the row indices by partition (two partitions in one pass,
 * more with a counting sort), keeping row order within a partition, then {@link #selection} or
 * {@link #scatter} hand out each partition's rows. Reused across batches; its arrays grow only when a
 * batch is larger than any before. Single-threaded: owned by one task.
 *
 * <pre>{@code
 * PartitionScatter scatter = new PartitionScatter(4, 128);
 * HashKernel.hash(batch, keys, hashes);
 * scatter.assign(hashes, batch.rowCount(), batch.selection());
 * scatter.scatter(batch, outputs);                  // outputs[p] gets partition p's rows
 * }</pre>
 */
public final class PartitionScatter {
    private final int parallelism;
    private final int maxParallelism;
    /** The partition of each key group, so that a row costs one modulo and one lookup. */
    private final int[] partitionOfKeyGroup;
    /** Partition p's rows are {@code rows[first[p] .. first[p] + count[p])}. */
    private final int[] first;
    private final int[] count;
    /** Where the next row of each partition goes while the counting sort places rows. */
    private final int[] next;
    private int[] rows = new int[0];
    /** Each row's partition from the counting pass, so the placing pass does not hash again. */
    private int[] partitionOfRow = new int[0];
    /** The row count of the batch last assigned, or -1 before the first. */
    private int assignedRowCount = -1;
    private final SelectionVector scratch = new SelectionVector(1);

    public PartitionScatter(int parallelism, int maxParallelism) {
        KeyGroups.check(maxParallelism, parallelism);
        this.parallelism = parallelism;
        this.maxParallelism = maxParallelism;
        this.partitionOfKeyGroup = new int[maxParallelism];
        for (int g = 0; g < maxParallelism; g++) {
            partitionOfKeyGroup[g] = KeyGroups.partitionOfUnchecked(g, maxParallelism, parallelism);
        }
        this.first = new int[parallelism];
        this.count = new int[parallelism];
        this.next = new int[parallelism + 1];
    }

    public int parallelism() {
        return parallelism;
    }

    public int maxParallelism() {
        return maxParallelism;
    }

    /**
     * Groups rows {@code 0 .. rowCount - 1} by the partition of {@code hashes[row]}; with {@code in}, only
     * the rows it selects. Replaces the previous assignment.
     */
    public void assign(long[] hashes, int rowCount, SelectionVector in) {
        if (rowCount < 0 || rowCount > hashes.length) {
            throw new IllegalArgumentException("a row count of " + rowCount + " needs as many hashes, but "
                    + hashes.length + " were given");
        }
        int n = in == null ? rowCount : in.size();
        int[] source = in == null ? null : in.rows();
        if (n > 0 && source != null && (source[0] < 0 || source[n - 1] >= rowCount)) {
            throw new IllegalArgumentException("the selection names rows " + source[0] + " to " + source[n - 1]
                    + " but the batch has " + rowCount + " rows; was it made for another batch?");
        }
        if (partitionOfRow.length < n) {
            // Two partitions place rows in two halves of n rows each.
            rows = new int[parallelism == 2 ? 2 * n : n];
            partitionOfRow = new int[n];
        }
        partitionRows(hashes, source, n);
        if (parallelism == 2) {
            splitInTwo(source, n);
        } else {
            countingSort(source, n);
        }
        assignedRowCount = rowCount;
    }

    private void partitionRows(long[] hashes, int[] source, int n) {
        int[] partitions = partitionOfKeyGroup;
        int[] out = partitionOfRow;
        if (Integer.bitCount(maxParallelism) == 1) {
            // For a power of two, the low bits are the remainder: no 64-bit division per row.
            long mask = maxParallelism - 1;
            for (int j = 0; j < n; j++) {
                out[j] = partitions[(int) (hashes[source == null ? j : source[j]] & mask)];
            }
        } else {
            int max = maxParallelism;
            for (int j = 0; j < n; j++) {
                out[j] = partitions[KeyGroups.keyGroupUnchecked(hashes[source == null ? j : source[j]], max)];
            }
        }
    }

    /**
     * Two partitions in one pass: each row is written at both cursors, partition 0's from the front and
     * partition 1's from row n, and only its own partition's cursor moves on. A counting sort's per-row
     * counter increments wait on each other through memory (a store forwarded to the next row's load of
     * the same counter); two cursors in registers do not.
     */
    private void splitInTwo(int[] source, int n) {
        int[] out = rows;
        int[] partitionOf = partitionOfRow;
        int k0 = 0;
        int k1 = n;
        if (source == null) {
            for (int j = 0; j < n; j++) {
                int p = partitionOf[j];
                out[k0] = j;
                out[k1] = j;
                k0 += 1 - p;
                k1 += p;
            }
        } else {
            for (int j = 0; j < n; j++) {
                int p = partitionOf[j];
                int row = source[j];
                out[k0] = row;
                out[k1] = row;
                k0 += 1 - p;
                k1 += p;
            }
        }
        first[0] = 0;
        count[0] = k0;
        first[1] = n;
        count[1] = k1 - n;
    }

    private void countingSort(int[] source, int n) {
        int[] starts = next;
        Arrays.fill(starts, 0);
        for (int j = 0; j < n; j++) {
            starts[partitionOfRow[j] + 1]++;
        }
        for (int p = 0; p < parallelism; p++) {
            count[p] = starts[p + 1];
            starts[p + 1] += starts[p];
            first[p] = starts[p];
        }
        for (int j = 0; j < n; j++) {
            rows[starts[partitionOfRow[j]]++] = source == null ? j : source[j];
        }
    }

    /** The number of rows the last {@link #assign} gave {@code partition}. */
    public int rowCount(int partition) {
        checkPartition(partition);
        return count[partition];
    }

    /** Fills {@code out} with the rows the last {@link #assign} gave {@code partition}, ascending. */
    public void selection(int partition, SelectionVector out) {
        int n = rowCount(partition);
        out.ensureCapacity(n);
        System.arraycopy(rows, first[partition], out.rows(), 0, n);
        out.setSize(n);
    }

    /** Gathers each partition's rows of {@code source}, the batch last assigned, into {@code targets[partition]}. */
    public void scatter(RecordBatch source, RecordBatch[] targets) {
        if (targets.length != parallelism) {
            throw new IllegalArgumentException("scatter needs one target batch per partition: " + parallelism
                    + " partitions, " + targets.length + " targets");
        }
        if (assignedRowCount < 0) {
            throw new IllegalArgumentException("assign the batch's hashes before scattering it");
        }
        if (source.rowCount() != assignedRowCount) {
            throw new IllegalArgumentException("the batch has " + source.rowCount() + " rows but the last assign was "
                    + "for " + assignedRowCount + "; assign this batch's hashes before scattering it");
        }
        for (int p = 0; p < parallelism; p++) {
            if (!targets[p].schema().equals(source.schema())) {
                throw new IllegalArgumentException("target " + p + " has schema " + targets[p].schema()
                        + "; scattering needs the source's " + source.schema());
            }
        }
        for (int p = 0; p < parallelism; p++) {
            selection(p, scratch);
            GatherKernel.gather(source, scratch, targets[p]);
        }
    }

    private void checkPartition(int partition) {
        if (partition < 0 || partition >= parallelism) {
            throw new IllegalArgumentException("partition " + partition + " is outside [0, " + parallelism + ")");
        }
    }
}
