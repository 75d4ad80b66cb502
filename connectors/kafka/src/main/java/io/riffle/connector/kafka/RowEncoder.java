package io.riffle.connector.kafka;

import io.riffle.columnar.batch.RecordBatch;
import org.jspecify.annotations.Nullable;

/** Encodes rows of one schema ({@link RecordEncoder#open}); used by one sink subtask (one thread). */
public interface RowEncoder {
    /** The Kafka record key of row {@code row} of {@code batch} (a physical row index), or null for none. */
    byte @Nullable [] key(RecordBatch batch, int row);

    /** The Kafka record value of row {@code row} of {@code batch} (a physical row index), or null for a tombstone. */
    byte @Nullable [] value(RecordBatch batch, int row);
}
