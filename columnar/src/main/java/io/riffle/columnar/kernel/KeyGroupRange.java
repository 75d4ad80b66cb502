package io.riffle.columnar.kernel;

/**
 * The key groups {@code [first, endExclusive)} of a job with {@code maxParallelism} key groups: what one
 * subtask owns, what one old subtask's state file holds, what a restore reads. An empty range has
 * {@code first == endExclusive}.
 *
 * <pre>{@code
 * KeyGroupRange mine = KeyGroupRange.ofPartition(1, 128, 3);   // [43, 86) of 128
 * mine.contains(50);                                          // true
 * mine.intersection(KeyGroupRange.ofPartition(0, 128, 2));     // [43, 64) of 128
 * }</pre>
 */
public record KeyGroupRange(int maxParallelism, int first, int endExclusive) {
    public KeyGroupRange {
        if (first < 0 || endExclusive < first || endExclusive > maxParallelism) {
            throw new IllegalArgumentException("key group range [" + first + ", " + endExclusive
                    + ") is not inside [0, " + maxParallelism + ")");
        }
    }

    /** The key groups partition {@code partition} of {@code parallelism} owns (Flink's assignment). */
    public static KeyGroupRange ofPartition(int partition, int maxParallelism, int parallelism) {
        return new KeyGroupRange(maxParallelism, KeyGroups.firstKeyGroup(partition, maxParallelism, parallelism),
                KeyGroups.lastKeyGroupExclusive(partition, maxParallelism, parallelism));
    }

    /** Every key group: what a job of parallelism 1 owns. */
    public static KeyGroupRange all(int maxParallelism) {
        return new KeyGroupRange(maxParallelism, 0, maxParallelism);
    }

    public int size() {
        return endExclusive - first;
    }

    public boolean isEmpty() {
        return first == endExclusive;
    }

    public boolean contains(int keyGroup) {
        return keyGroup >= first && keyGroup < endExclusive;
    }

    /** Whether the two ranges share a key group. */
    public boolean intersects(KeyGroupRange other) {
        return Math.max(first, other.first) < Math.min(endExclusive, other.endExclusive);
    }

    /** The key groups in both; empty (at the larger start) when they share none. */
    public KeyGroupRange intersection(KeyGroupRange other) {
        int from = Math.max(first, other.first);
        int to = Math.max(from, Math.min(endExclusive, other.endExclusive));
        return new KeyGroupRange(maxParallelism, from, to);
    }

    @Override
    public String toString() {
        return "[" + first + ", " + endExclusive + ") of " + maxParallelism;
    }
}
