package io.riffle.columnar.kernel;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;

/**
 * Routes a batch's rows to {@code parallelism} partitions by key group: {@link #assign} sorts the row
 * indices by partition (a counting sort, keeping row order within a partition), then
 * {@link #selection} or {@link #scatter} hand out each partition's rows. Reused across batches; its
 * arrays only grow. Single-threaded.
 *
 * <pre>{@code
 * PartitionScatter scatter = new PartitionScatter(4, 128);
 * HashKernel.hash(batch, keys, hashes);
 * scatter.assign(hashes, batch.rowCount(), null);
 * scatter.scatter(batch, outputs);                  // outputs[p] gets partition p's rows
 * }</pre>
 */
public final class PartitionScatter {
    private final int parallelism;
    private final int maxParallelism;
    /** Partition of each key group, so a row costs one modulo and one lookup. */
    private final int[] partitionOfKeyGroup;
    /** start[p] .. start[p + 1]: partition p's rows in {@link #rows}. */
    private final int[] start;
    /** Where the next row of each partition goes while {@link #assign} places rows. */
    private final int[] next;
    private int[] rows = new int[0];
    private int[] partitionOfRow = new int[0];
    private final SelectionVector scratch = new SelectionVector(1);

    public PartitionScatter(int parallelism, int maxParallelism) {
        KeyGroups.check(maxParallelism, parallelism);
        this.parallelism = parallelism;
        this.maxParallelism = maxParallelism;
        this.partitionOfKeyGroup = new int[maxParallelism];
        for (int g = 0; g < maxParallelism; g++) {
            partitionOfKeyGroup[g] = KeyGroups.partitionOf(g, maxParallelism, parallelism);
        }
        this.start = new int[parallelism + 1];
        this.next = new int[parallelism];
    }

    public int parallelism() {
        return parallelism;
    }

    /** Groups rows {@code 0 .. rowCount - 1} (or the rows of {@code in}) by the partition of their hash. */
    public void assign(long[] hashes, int rowCount, SelectionVector in) {
        int n = in == null ? rowCount : in.size();
        if (rows.length < n) {
            rows = new int[n];
            partitionOfRow = new int[n];
        }
        int[] source = in == null ? null : in.rows();
        java.util.Arrays.fill(start, 0);
        for (int j = 0; j < n; j++) {
            int row = source == null ? j : source[j];
            int p = partitionOfKeyGroup[KeyGroups.keyGroup(hashes[row], maxParallelism)];
            partitionOfRow[j] = p;
            start[p + 1]++;
        }
        for (int p = 0; p < parallelism; p++) {
            start[p + 1] += start[p];
        }
        System.arraycopy(start, 0, next, 0, parallelism);
        for (int j = 0; j < n; j++) {
            int row = source == null ? j : source[j];
            rows[next[partitionOfRow[j]]++] = row;
        }
    }

    /** The number of rows the last {@link #assign} gave partition {@code partition}. */
    public int rowCount(int partition) {
        return start[partition + 1] - start[partition];
    }

    /** Fills {@code out} with partition {@code partition}'s rows, ascending. */
    public void selection(int partition, SelectionVector out) {
        int n = rowCount(partition);
        out.ensureCapacity(n);
        System.arraycopy(rows, start[partition], out.rows(), 0, n);
        out.setSize(n);
    }

    /** Gathers each partition's rows of {@code source} into {@code targets[partition]}. */
    public void scatter(RecordBatch source, RecordBatch[] targets) {
        if (targets.length != parallelism) {
            throw new IllegalArgumentException(targets.length + " targets for " + parallelism + " partitions");
        }
        for (int p = 0; p < parallelism; p++) {
            selection(p, scratch);
            GatherKernel.gather(source, scratch, targets[p]);
        }
    }
}
