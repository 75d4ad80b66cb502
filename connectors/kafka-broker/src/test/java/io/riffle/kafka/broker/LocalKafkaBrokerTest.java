package io.riffle.kafka.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class LocalKafkaBrokerTest {
    @Test
    void aCommittedTransactionIsReadAndAnAbortedOneIsNot() throws Exception {
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
            kafka.createTopic("t", 1);
            Map<String, Object> producerConfig = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-test");
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig,
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("t", bytes("kept")));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("t", bytes("dropped")));
                producer.abortTransaction();
            }
            Map<String, Object> consumerConfig = Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition p = new TopicPartition("t", 0);
                consumer.assign(List.of(p));
                consumer.seekToBeginning(List.of(p));
                long end = consumer.endOffsets(List.of(p)).get(p);
                while (consumer.position(p) < end) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        values.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertEquals(List.of("kept"), values);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
