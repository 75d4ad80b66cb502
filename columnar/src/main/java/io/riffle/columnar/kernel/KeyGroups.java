package io.riffle.columnar.kernel;

/**
 * Key-group arithmetic shared by partitioning and keyed state. A key's key group is its hash modulo the
 * maximum parallelism and never changes; each of {@code parallelism} partitions owns a contiguous range
 * of key groups (Flink's assignment), so state snapshotted by key group can be restored at another
 * parallelism. Stateless.
 *
 * <pre>{@code
 * int group = KeyGroups.keyGroup(hash, 128);
 * int partition = KeyGroups.partitionOf(group, 128, 3);     // groups 0-42 -> 0, 43-85 -> 1, 86-127 -> 2
 * int first = KeyGroups.firstKeyGroup(partition, 128, 3);
 * int end = KeyGroups.lastKeyGroupExclusive(partition, 128, 3);   // the partition owns [first, end)
 * }</pre>
 */
public final class KeyGroups {
    /** The largest maximum parallelism: key groups must stay cheap to enumerate and to keep a table of. */
    public static final int MAX_KEY_GROUPS = 32768;

    private KeyGroups() {
    }

    /** The key group of a {@link HashKernel} hash: the hash without its sign bit, modulo {@code maxParallelism}. */
    public static int keyGroup(long hash, int maxParallelism) {
        checkMaxParallelism(maxParallelism);
        return keyGroupUnchecked(hash, maxParallelism);
    }

    /** The partition, of {@code parallelism}, that owns {@code keyGroup}. */
    public static int partitionOf(int keyGroup, int maxParallelism, int parallelism) {
        check(maxParallelism, parallelism);
        if (keyGroup < 0 || keyGroup >= maxParallelism) {
            throw new IllegalArgumentException("key group " + keyGroup + " is outside [0, " + maxParallelism
                    + "), the key groups of max parallelism " + maxParallelism);
        }
        return partitionOfUnchecked(keyGroup, maxParallelism, parallelism);
    }

    /** The first key group partition {@code partition} owns. */
    public static int firstKeyGroup(int partition, int maxParallelism, int parallelism) {
        checkPartition(partition, maxParallelism, parallelism);
        return rangeStart(partition, maxParallelism, parallelism);
    }

    /** One past the last key group partition {@code partition} owns: the next partition's first. */
    public static int lastKeyGroupExclusive(int partition, int maxParallelism, int parallelism) {
        checkPartition(partition, maxParallelism, parallelism);
        return rangeStart(partition + 1, maxParallelism, parallelism);
    }

    /** Checks {@code 1 <= parallelism <= maxParallelism <= 32768}, saying which bound is broken. */
    public static void check(int maxParallelism, int parallelism) {
        checkMaxParallelism(maxParallelism);
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException("parallelism must be between 1 and the max parallelism ("
                    + maxParallelism + "), got " + parallelism
                    + (parallelism > maxParallelism ? "; raise the max parallelism or lower the parallelism" : ""));
        }
    }

    private static void checkMaxParallelism(int maxParallelism) {
        if (maxParallelism < 1 || maxParallelism > MAX_KEY_GROUPS) {
            throw new IllegalArgumentException("max parallelism must be between 1 and " + MAX_KEY_GROUPS + ", got "
                    + maxParallelism);
        }
    }

    private static void checkPartition(int partition, int maxParallelism, int parallelism) {
        check(maxParallelism, parallelism);
        if (partition < 0 || partition >= parallelism) {
            throw new IllegalArgumentException("partition " + partition + " is outside [0, " + parallelism
                    + "), the partitions of parallelism " + parallelism);
        }
    }

    /** For callers that checked {@code maxParallelism} once, outside their row loop. */
    static int keyGroupUnchecked(long hash, int maxParallelism) {
        return (int) ((hash & Long.MAX_VALUE) % maxParallelism);
    }

    static int partitionOfUnchecked(int keyGroup, int maxParallelism, int parallelism) {
        return (int) ((long) keyGroup * parallelism / maxParallelism);
    }

    /** ceil(partition * maxParallelism / parallelism): the smallest g with partitionOf(g) == partition. */
    private static int rangeStart(int partition, int maxParallelism, int parallelism) {
        return (int) (((long) partition * maxParallelism + parallelism - 1) / parallelism);
    }
}
