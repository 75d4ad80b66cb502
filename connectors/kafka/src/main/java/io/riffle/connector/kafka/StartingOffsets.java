package io.riffle.connector.kafka;

/**
 * Where a {@link KafkaSource} starts reading each partition when the job does not restore a checkpoint (a restored
 * job goes on from the offsets in the checkpoint).
 */
public final class StartingOffsets {
    /** How the start is found. */
    enum Kind {
        EARLIEST, LATEST, COMMITTED, TIMESTAMP
    }

    private final Kind kind;
    private final long timestampMillis;

    private StartingOffsets(Kind kind, long timestampMillis) {
        this.kind = kind;
        this.timestampMillis = timestampMillis;
    }

    /** The first record each partition still holds. */
    public static StartingOffsets earliest() {
        return new StartingOffsets(Kind.EARLIEST, 0);
    }

    /** The end of each partition when the job starts: only records written after it. */
    public static StartingOffsets latest() {
        return new StartingOffsets(Kind.LATEST, 0);
    }

    /** The offsets committed to the source's consumer group ({@code groupId}); the earliest where it has none. */
    public static StartingOffsets committed() {
        return new StartingOffsets(Kind.COMMITTED, 0);
    }

    /** The first record whose timestamp is at or after {@code epochMillis}; the end where none is. */
    public static StartingOffsets timestamp(long epochMillis) {
        if (epochMillis < 0) {
            throw new IllegalArgumentException("a starting timestamp must not be negative: " + epochMillis);
        }
        return new StartingOffsets(Kind.TIMESTAMP, epochMillis);
    }

    Kind kind() {
        return kind;
    }

    long timestampMillis() {
        return timestampMillis;
    }

    @Override
    public String toString() {
        return kind == Kind.TIMESTAMP ? "timestamp(" + timestampMillis + ")"
                : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
