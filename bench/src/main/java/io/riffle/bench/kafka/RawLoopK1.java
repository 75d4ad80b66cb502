package io.riffle.bench.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.agrona.collections.Long2LongHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * K1 as a hand-written consume-transform-produce loop, Kafka's documented exactly-once pattern: per task a consumer
 * of its partitions, a primitive map of sums and a transactional producer that commits the consumed offsets with
 * the output every interval. The practical limit: no engine, only the Kafka clients and the sum.
 */
final class RawLoopK1 implements K1Contender {
    @Override
    public String name() {
        return "raw-loop";
    }

    @Override
    public void run(String servers, String in, String out, int parallelism, Duration interval, long records,
                    Path scratch) throws Exception {
        List<TopicPartition> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> lookup = consumer(servers)) {
            for (PartitionInfo p : lookup.partitionsFor(in)) {
                all.add(new TopicPartition(in, p.partition()));
            }
        }
        ExecutorService tasks = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < parallelism; t++) {
                List<TopicPartition> mine = new ArrayList<>();
                for (int i = t; i < all.size(); i += parallelism) {
                    mine.add(all.get(i));
                }
                String id = out + "-" + t;
                running.add(tasks.submit(() -> {
                    task(servers, mine, out, id, interval);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            tasks.shutdownNow();
        }
    }

    private static void task(String servers, List<TopicPartition> partitions, String out, String id,
                             Duration interval) {
        if (partitions.isEmpty()) {
            return;
        }
        Long2LongHashMap sums = new Long2LongHashMap(Long.MIN_VALUE);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(servers);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                     ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            ConsumerGroupMetadata group = new ConsumerGroupMetadata(id);
            producer.initTransactions();
            producer.beginTransaction();
            long due = System.nanoTime() + interval.toNanos();
            while (!reachedEnd(consumer, partitions, ends)) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    byte[] v = r.value();
                    long key = (long) K1Topics.LONG.get(v, 0);
                    long before = sums.get(key);
                    long sum = (before == Long.MIN_VALUE ? 0 : before) + (long) K1Topics.LONG.get(v, 8);
                    sums.put(key, sum);
                    byte[] result = new byte[16];
                    K1Topics.LONG.set(result, 0, key);
                    K1Topics.LONG.set(result, 8, sum);
                    producer.send(new ProducerRecord<>(out, r.key(), result));
                }
                if (System.nanoTime() >= due) {
                    commit(consumer, producer, partitions, group);
                    producer.beginTransaction();
                    due = System.nanoTime() + interval.toNanos();
                }
            }
            commit(consumer, producer, partitions, group);
        }
    }

    private static void commit(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
                               List<TopicPartition> partitions, ConsumerGroupMetadata group) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition p : partitions) {
            offsets.put(p, new OffsetAndMetadata(consumer.position(p)));
        }
        producer.sendOffsetsToTransaction(offsets, group);
        producer.commitTransaction();
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                      Map<TopicPartition, Long> ends) {
        for (TopicPartition p : partitions) {
            if (consumer.position(p) < ends.get(p)) {
                return false;
            }
        }
        return true;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String servers) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4096), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
