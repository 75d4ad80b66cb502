package io.riffle.connector.kafka;

import java.util.List;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.RecordBatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns Kafka records into rows of a declared schema, a poll's worth at a time: the {@link KafkaSource} hands
 * its decoder a run of records of one partition and a batch to fill. Built-ins are in {@link RecordDecoders}.
 * One decoder serves all the source's subtasks, called from their threads at the same time: keep no state between
 * calls (scratch space belongs to the call).
 */
public interface RecordDecoder {
    /** The schema of the rows this decoder writes. */
    BatchSchema schema();

    /**
     * Decodes {@code records[from, to)} into rows {@code row, row + 1, ...} of {@code out}, whose capacity the
     * caller made room for ({@link RecordBatch#ensureCapacity}); the caller sets the row count. A record that
     * cannot be decoded stops the call with a {@link RecordDecodeException} naming its index and why; the rows
     * of the records before it are written.
     */
    void decode(List<ConsumerRecord<byte[], byte[]>> records, int from, int to, RecordBatch out, int row)
            throws RecordDecodeException;
}
