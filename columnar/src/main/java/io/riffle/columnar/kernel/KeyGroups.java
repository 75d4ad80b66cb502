package io.riffle.columnar.kernel;

/**
 * Key-group arithmetic shared by partitioning and keyed state. A key's key group is its hash modulo the
 * maximum parallelism and never changes; each of {@code parallelism} partitions owns a contiguous range
 * of key groups, so state snapshotted by key group can be restored at another parallelism.
 *
 * <pre>{@code
 * int group = KeyGroups.keyGroup(hash, 128);
 * int partition = KeyGroups.partitionOf(group, 128, 4);   // key groups 0-31 -> 0, 32-63 -> 1, ...
 * }</pre>
 */
public final class KeyGroups {
    /** The largest maximum parallelism: key groups must stay cheap to enumerate. */
    public static final int MAX_KEY_GROUPS = 32768;

    private KeyGroups() {
    }

    /** The key group of a {@link HashKernel} hash: its non-negative value modulo {@code maxParallelism}. */
    public static int keyGroup(long hash, int maxParallelism) {
        return (int) ((hash & Long.MAX_VALUE) % maxParallelism);
    }

    /** The partition that owns {@code keyGroup}. */
    public static int partitionOf(int keyGroup, int maxParallelism, int parallelism) {
        return (int) ((long) keyGroup * parallelism / maxParallelism);
    }

    /** The first key group partition {@code partition} owns. */
    public static int firstKeyGroup(int partition, int maxParallelism, int parallelism) {
        return (int) (((long) partition * maxParallelism + parallelism - 1) / parallelism);
    }

    /** One past the last key group partition {@code partition} owns. */
    public static int endKeyGroup(int partition, int maxParallelism, int parallelism) {
        return firstKeyGroup(partition + 1, maxParallelism, parallelism);
    }

    /** Checks {@code 1 <= parallelism <= maxParallelism <= 32768}, naming what is wrong. */
    public static void check(int maxParallelism, int parallelism) {
        if (maxParallelism < 1 || maxParallelism > MAX_KEY_GROUPS) {
            throw new IllegalArgumentException("max parallelism must be in [1, " + MAX_KEY_GROUPS + "]: "
                    + maxParallelism);
        }
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException("parallelism must be in [1, max parallelism " + maxParallelism + "]: "
                    + parallelism);
        }
    }
}
