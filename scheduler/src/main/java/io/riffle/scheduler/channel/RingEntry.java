package io.riffle.scheduler.channel;

import io.riffle.columnar.batch.RecordBatch;

/**
 * One pre-allocated entry of a channel's ring. Written only by the producer and read only by the
 * consumer; padded so that neighbouring entries, which the two threads touch at the same time, never
 * share a cache line (the JVM lays superclass fields first, so the padding classes bracket the fields).
 */
final class RingEntry extends RingEntryFields {
    long p8, p9, p10, p11, p12, p13, p14;
}

/** The fields of a {@link RingEntry}, after 56 bytes of padding. */
class RingEntryFields extends RingEntryPadding {
    SlotKind kind;
    RecordBatch batch;
    long value;
}

/** Leading padding of a {@link RingEntry}. */
class RingEntryPadding {
    long p1, p2, p3, p4, p5, p6, p7;
}
