package io.riffle.bench.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * The practical limit: Kafka's documented consume-transform-produce loop, by hand. Each of {@code parallelism}
 * threads owns the input partitions {@code i, i + p, ...} (assigned, not subscribed, so no rebalance moves a
 * key's running sum to another thread), keeps its sums in a primitive map, and every commit interval sends its
 * consumed offsets into its transaction and commits it. It keeps no state across failures: the benchmark
 * injects none.
 */
public final class RawLoopContender implements KafkaContender {
    private static final Duration POLL = Duration.ofMillis(100);

    @Override
    public String name() {
        return "raw-loop";
    }

    @Override
    public RunningJob start(KafkaJob job) {
        Running running = new Running();
        for (int i = 0; i < job.parallelism(); i++) {
            Loop loop = new Loop(job, i, running);
            Thread t = new Thread(loop, "raw-loop-" + i);
            running.threads.add(t);
            running.loops.add(loop);
        }
        running.threads.forEach(Thread::start);
        return running;
    }

    private static final class Running implements RunningJob {
        final List<Thread> threads = new ArrayList<>();
        final List<Loop> loops = new ArrayList<>();
        volatile boolean stopping;
        volatile Throwable failure;

        @Override
        public void checkAlive() {
            Throwable f = failure;
            if (f != null) {
                throw new IllegalStateException("raw loop failed: " + f.getMessage(), f);
            }
        }

        @Override
        public double kafkaClientShare() {
            long client = 0;
            long total = 0;
            for (Loop l : loops) {
                client += l.clientNanos;
                total += l.totalNanos;
            }
            return total == 0 ? Double.NaN : (double) client / total;
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            for (Thread t : threads) {
                t.join();
            }
            checkAlive();
        }
    }

    private static final class Loop implements Runnable {
        private final KafkaJob job;
        private final int index;
        private final Running running;
        private final Long2LongHashMap sums = new Long2LongHashMap(0);
        private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        /** Written by this loop's thread only, read after it has been joined or as a rough figure meanwhile. */
        volatile long clientNanos;
        volatile long totalNanos;

        Loop(KafkaJob job, int index, Running running) {
            this.job = job;
            this.index = index;
            this.running = running;
        }

        @Override
        public void run() {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig());
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig())) {
                List<TopicPartition> mine = new ArrayList<>();
                for (PartitionInfo p : consumer.partitionsFor(job.inputTopic())) {
                    if (p.partition() % job.parallelism() == index) {
                        mine.add(new TopicPartition(job.inputTopic(), p.partition()));
                    }
                }
                consumer.assign(mine);
                consumer.seekToBeginning(mine);
                producer.initTransactions();
                producer.beginTransaction();
                process(consumer, producer);
                producer.abortTransaction();
            } catch (Throwable t) {
                running.failure = t;
            }
        }

        private void process(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer) {
            ConsumerGroupMetadata group = new ConsumerGroupMetadata(job.groupId());
            long intervalNanos = job.commitInterval().toNanos();
            long lastCommit = System.nanoTime();
            long client = 0;
            long start = lastCommit;
            while (!running.stopping) {
                long t0 = System.nanoTime();
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(POLL);
                long t1 = System.nanoTime();
                client += t1 - t0;
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    byte[] in = r.value();
                    KeyedAmount.check(in, r.topic(), r.partition(), r.offset());
                    long key = KeyedAmount.key(in);
                    long sum = sums.get(key) + KeyedAmount.amount(in);
                    sums.put(key, sum);
                    long s0 = System.nanoTime();
                    producer.send(new ProducerRecord<>(job.outputTopic(), r.key(), KeyedAmount.value(key, sum)));
                    client += System.nanoTime() - s0;
                }
                for (TopicPartition p : batch.partitions()) {
                    List<ConsumerRecord<byte[], byte[]>> records = batch.records(p);
                    offsets.put(p, new OffsetAndMetadata(records.get(records.size() - 1).offset() + 1));
                }
                long now = System.nanoTime();
                if (now - lastCommit >= intervalNanos && !offsets.isEmpty()) {
                    producer.sendOffsetsToTransaction(offsets, group);
                    producer.commitTransaction();
                    producer.beginTransaction();
                    offsets.clear();
                    lastCommit = System.nanoTime();
                    client += lastCommit - now;
                }
                clientNanos = client;
                totalNanos = System.nanoTime() - start;
            }
        }

        private Map<String, Object> consumerConfig() {
            return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, job.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, job.groupId(),
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        }

        private Map<String, Object> producerConfig() {
            return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, job.bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, job.groupId() + "-" + index,
                    ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        }
    }
}
