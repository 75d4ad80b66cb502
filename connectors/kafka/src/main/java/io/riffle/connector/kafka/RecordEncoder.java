package io.riffle.connector.kafka;

import io.riffle.columnar.batch.BatchSchema;

/**
 * Turns rows into Kafka record keys and values, for the {@link KafkaSink}. Built-ins are in
 * {@link RecordEncoders}. {@link #open} is called once per sink subtask, when the job starts.
 */
public interface RecordEncoder {
    /**
     * Checks that rows of {@code schema} can be encoded and returns the encoder of such rows; throws
     * {@link IllegalArgumentException} naming the field that cannot be written. Called when the job is built
     * (to check) and once per sink subtask (to write).
     */
    RowEncoder open(BatchSchema schema);

    /**
     * The same values, each keyed by field {@code field}: its value as UTF-8 text (a null as no key), so that
     * Kafka's partitioner sends equal keys to one partition and compacted topics keep a key's last value.
     */
    default RecordEncoder withKey(String field) {
        return new KeyedEncoder(this, field, false);
    }
}
