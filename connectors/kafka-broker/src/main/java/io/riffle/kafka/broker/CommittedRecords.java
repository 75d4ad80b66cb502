package io.riffle.kafka.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a {@code read_committed} consumer of a topic sees now: every committed record up to each partition's last
 * stable offset, partition by partition. For tests, demos and benchmarks that check a job's output; wait for
 * {@link TransactionMarkers} first when transactions just ended.
 */
public final class CommittedRecords {
    private CommittedRecords() {
    }

    /** Gives each committed record of {@code topic} to {@code visitor}, in offset order within a partition. */
    public static void forEach(String servers, String topic, Consumer<ConsumerRecord<byte[], byte[]>> visitor) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition p : partitions) {
                consumer.pause(partitions);
                consumer.resume(List.of(p));
                while (consumer.position(p) < ends.get(p)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        visitor.accept(r);
                    }
                }
            }
        }
    }
}
