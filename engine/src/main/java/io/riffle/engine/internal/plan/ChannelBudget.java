package io.riffle.engine.internal.plan;

/**
 * What a plan's channels cost on the heap before a record flows: an edge has a channel from every subtask
 * of its producer to every subtask of its consumer (from subtask i to subtask i alone on a forward edge),
 * and each channel a ring of preallocated slots. Their number grows with the square of the parallelism, so
 * a plan whose channels would take more than a quarter of the heap fails here, at plan time, naming its
 * largest edge, rather than after minutes of building them. Stateless.
 */
public final class ChannelBudget {
    /** Heap bytes of a channel without its slots, with its writer, name and edge tables (measured on JDK 17). */
    static final long CHANNEL_BYTES = 1800;
    /** Heap bytes per ring slot: a padded entry and two places in the hand-back queue (measured on JDK 17). */
    static final long SLOT_BYTES = 160;

    private ChannelBudget() {
    }

    /** The channels an edge has: one per subtask on a forward edge, one per pair of subtasks otherwise. */
    public static long channelsOf(Edge e) {
        long up = e.from().parallelism();
        return e.partitioning() == Partitioning.FORWARD ? up : up * e.to().parallelism();
    }

    /**
     * Throws when the plan's channels, each of {@code channelCapacity} slots, would take more than a quarter
     * of {@code maxHeapBytes}.
     */
    public static void check(PhysicalPlan plan, int channelCapacity, long maxHeapBytes) {
        long channels = 0;
        Edge largest = null;
        for (Vertex v : plan.vertices()) {
            for (Edge e : v.inputs()) {
                channels += channelsOf(e);
                if (largest == null || channelsOf(e) > channelsOf(largest)) {
                    largest = e;
                }
            }
        }
        long perChannel = CHANNEL_BYTES + channelCapacity * SLOT_BYTES;
        long bytes = channels > Long.MAX_VALUE / perChannel ? Long.MAX_VALUE : channels * perChannel;
        if (bytes > maxHeapBytes / 4) {
            throw new IllegalArgumentException("the job would need " + channels + " channels of " + channelCapacity
                    + " slots, about " + mebibytes(bytes) + " MiB of heap before any record flows, more than a quarter"
                    + " of the JVM's max heap (" + mebibytes(maxHeapBytes) + " MiB); " + channelsOf(largest)
                    + " of them go from '" + largest.from().name() + "' [" + largest.from().parallelism() + "] to '"
                    + largest.to().name() + "' [" + largest.to().parallelism() + "]: lower the parallelism or the"
                    + " channel capacity");
        }
    }

    private static long mebibytes(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
