package io.riffle.bench.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a contender's output topic with {@code read_committed} as it is written, and checks it once the
 * expected number of records is visible: every key's last running sum must equal its input total, and no
 * record may be beyond the count (a duplicate, or a sum of aborted input).
 */
public final class OutputVerifier implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    /** Told of each committed output record as it becomes visible, e.g. to time it. */
    @FunctionalInterface
    public interface Visible {
        void record(long key, long runningSum, long visibleNanos);
    }

    /** Throws, saying why, when what writes the output has failed. */
    @FunctionalInterface
    public interface Liveness {
        void check() throws Exception;
    }

    /** When the first and the last output record became visible ({@link System#nanoTime()}). */
    public record Visibility(long firstNanos, long lastNanos) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;

    /** A verifier of {@code topic}, reading it from the beginning. */
    public OutputVerifier(String bootstrapServers, String topic) {
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /**
     * Waits until {@code totals}' record count ({@code records}) is visible, calling {@code writer.check()}
     * between polls, then checks the sums; returns when the first and the last record became visible. Fails, naming {@code contender}, the key and both sums, on a wrong result, and after
     * {@code timeout} without the full count.
     */
    public Visibility await(String contender, long records, long[] totals, Liveness writer,
            Duration timeout, Visible visible) throws Exception {
        long[] last = new long[totals.length];
        long seen = 0;
        long firstVisibleNanos = 0;
        long lastVisibleNanos = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (seen < records) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(contender + ": only " + seen + " of " + records
                        + " output records committed to " + topic + " after " + timeout.toSeconds() + " s");
            }
            writer.check();
            ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL);
            long now = System.nanoTime();
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                KeyedAmount.check(r.value(), r.topic(), r.partition(), r.offset());
                long key = KeyedAmount.key(r.value());
                if (key < 0 || key >= totals.length) {
                    throw new IllegalStateException(contender + ": output record " + r.topic() + "-"
                            + r.partition() + "@" + r.offset() + " has key " + key + ", outside 0 to "
                            + (totals.length - 1));
                }
                last[(int) key] = KeyedAmount.amount(r.value());
                visible.record(key, last[(int) key], now);
                seen++;
            }
            if (!batch.isEmpty()) {
                if (firstVisibleNanos == 0) {
                    firstVisibleNanos = now;
                }
                lastVisibleNanos = now;
            }
        }
        if (seen > records) {
            throw beyond(contender, records);
        }
        checkNothingBeyond(contender, records);
        for (int k = 0; k < totals.length; k++) {
            if (last[k] != totals[k]) {
                throw new IllegalStateException(contender + ": key " + k + " ends at running sum " + last[k]
                        + ", but its input amounts total " + totals[k]);
            }
        }
        return new Visibility(firstVisibleNanos, lastVisibleNanos);
    }

    /** Reads up to the last stable offsets: a committed record there beyond the count is a duplicate. */
    private void checkNothingBeyond(String contender, long records) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            while (consumer.position(end.getKey()) < end.getValue()) {
                ConsumerRecords<byte[], byte[]> extra = consumer.poll(POLL);
                if (!extra.isEmpty()) {
                    throw beyond(contender, records);
                }
            }
        }
    }

    private IllegalStateException beyond(String contender, long records) {
        return new IllegalStateException(contender + ": " + topic + " holds more than the " + records
                + " expected output records (a duplicate, or output of aborted input)");
    }

    @Override
    public void close() {
        consumer.close();
    }
}
