package io.riffle.bench.kafka;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Fills K1's input topic with a plain idempotent producer, batched for throughput. */
public final class InputTopic {
    private InputTopic() {
    }

    /** The producer settings the generator and the latency run share. */
    static Map<String, Object> producerConfig(String bootstrapServers) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    }

    /**
     * Writes {@code records} records to {@code topic}: keys 0 to {@code keys - 1} and amounts 1 to 1000, drawn
     * from {@code seed}, and returns each key's total amount, what every contender's final running sums must be.
     */
    public static long[] fill(String bootstrapServers, String topic, long records, int keys, long seed) {
        long[] totals = new long[keys];
        SplittableRandom random = new SplittableRandom(seed);
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback recordFailure = (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        };
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrapServers))) {
            for (long i = 0; i < records; i++) {
                int key = random.nextInt(keys);
                long amount = 1 + random.nextInt(1000);
                totals[key] += amount;
                producer.send(new ProducerRecord<>(topic, KeyedAmount.recordKey(key), KeyedAmount.value(key, amount)),
                        recordFailure);
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("filling topic " + topic + " failed: " + failure.get().getMessage(),
                    failure.get());
        }
        return totals;
    }
}
