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
}
