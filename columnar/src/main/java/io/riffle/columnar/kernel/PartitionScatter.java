package io.riffle.columnar.kernel;

import java.util.Arrays;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.SelectionVector;

/**
 * Routes a batch's rows to {@code parallelism} partitions by the key group of their hash
 * ({@link KeyGroups}): {@link #assign} sorts the row indices by partition with a counting sort, keeping
 * row order within a partition, then {@link #selection} or {@link #scatter} hand out each partition's
 * rows. Reused across batches; its arrays grow only when a batch is larger than any before.
 * Single-threaded: owned by one task.
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
    /** Partition p's rows are {@code rows[start[p] .. start[p + 1])}. */
    private final int[] start;
    /** Where the next row of each partition goes while {@link #assign} places rows. */
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
        this.start = new int[parallelism + 1];
        this.next = new int[parallelism];
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
        if (rows.length < n) {
            rows = new int[n];
            partitionOfRow = new int[n];
        }
        int[] partitions = partitionOfKeyGroup;
        int max = maxParallelism;
        Arrays.fill(start, 0);
        for (int j = 0; j < n; j++) {
            int row = source == null ? j : source[j];
            int p = partitions[KeyGroups.keyGroupUnchecked(hashes[row], max)];
            partitionOfRow[j] = p;
            start[p + 1]++;
        }
        for (int p = 0; p < parallelism; p++) {
            start[p + 1] += start[p];
        }
        System.arraycopy(start, 0, next, 0, parallelism);
        for (int j = 0; j < n; j++) {
            rows[next[partitionOfRow[j]]++] = source == null ? j : source[j];
        }
        assignedRowCount = rowCount;
    }

    /** The number of rows the last {@link #assign} gave {@code partition}. */
    public int rowCount(int partition) {
        checkPartition(partition);
        return start[partition + 1] - start[partition];
    }

    /** Fills {@code out} with the rows the last {@link #assign} gave {@code partition}, ascending. */
    public void selection(int partition, SelectionVector out) {
        int n = rowCount(partition);
        out.ensureCapacity(n);
        System.arraycopy(rows, start[partition], out.rows(), 0, n);
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
