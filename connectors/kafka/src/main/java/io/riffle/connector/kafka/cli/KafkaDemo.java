package io.riffle.connector.kafka.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import io.riffle.connector.kafka.DeliveryGuarantee;
import io.riffle.connector.kafka.KafkaSink;
import io.riffle.connector.kafka.KafkaSource;
import io.riffle.connector.kafka.RecordDecoders;
import io.riffle.connector.kafka.RecordEncoders;
import io.riffle.connector.kafka.StartingOffsets;
import io.riffle.engine.Environment;
import io.riffle.engine.JobHandle;
import io.riffle.engine.JobResult;
import io.riffle.engine.RestartStrategy;
import io.riffle.kafka.broker.CommittedRecords;
import io.riffle.kafka.broker.LocalKafkaBroker;
import io.riffle.kafka.broker.TransactionMarkers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bin/riffle kafka-demo}: a local Kafka broker, a topic of "key,value" records, the keyed running sum from it
 * to a second topic exactly once (with a failure injected half-way, recovered from the last checkpoint), and what a
 * read_committed consumer of the second topic sees: one result per input record, each key's last sum its total.
 */
final class KafkaDemo {
    private static final String IN = "riffle-demo-in";
    private static final String OUT = "riffle-demo-out";
    private static final int PARTITIONS = 4;

    private KafkaDemo() {
    }

    /** Runs the demo, printing each step; returns whether the output was exactly the failure-free result. */
    static boolean run(int records, int keys, int parallelism, boolean fail, PrintStream out) throws Exception {
        Path checkpoints = Files.createTempDirectory("riffle-kafka-demo");
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
            out.println("started a Kafka broker (KRaft, one node) at " + kafka.bootstrapServers());
            kafka.createTopic(IN, PARTITIONS);
            kafka.createTopic(OUT, PARTITIONS);
            Map<Long, Long> totals = fill(kafka.bootstrapServers(), records, keys);
            out.println("wrote " + records + " records \"key,value\" (" + keys + " keys) to topic '" + IN + "' ("
                    + PARTITIONS + " partitions)");

            Environment env = Environment.streaming().setParallelism(parallelism)
                    .enableCheckpointing(Duration.ofMillis(200), checkpoints)
                    .setRestartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(100)));
            // The failure strikes once the job has completed two checkpoints, so that recovery restores one.
            AtomicBoolean armed = new AtomicBoolean();
            AtomicBoolean failed = new AtomicBoolean();
            if (fail) {
                env.injectFailures((operator, subtask, rows) -> {
                    if (operator.startsWith("keyBy(") && armed.get() && failed.compareAndSet(false, true)) {
                        throw new IllegalStateException("the demo's injected failure");
                    }
                });
            }
            env.fromSource(KafkaSource.builder().bootstrapServers(kafka.bootstrapServers()).topics(IN)
                            .startingOffsets(StartingOffsets.earliest()).bounded()
                            .decoder(RecordDecoders.csv(KafkaJob.KEY_VALUE)).build())
                    .keyBy("key").sum("value")
                    .addSink(KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).topic(OUT)
                            .encoder(RecordEncoders.csv().withKey("key"))
                            .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix("riffle-demo")
                            .build());
            out.println("running keyBy(key).sum(value) from '" + IN + "' to '" + OUT + "', exactly once, a checkpoint"
                    + " every 200 ms" + (fail ? ", a failure injected after the second" : ""));
            JobHandle job = env.executeAsync("kafka-demo");
            while (fail && !job.isDone() && !armed.get()) {
                armed.set(job.completedCheckpoints() >= 2);
                Thread.sleep(5);
            }
            JobResult result = job.await();
            out.println("the job read " + result.sourceRecords() + " records in "
                    + String.format("%.2f", result.seconds()) + " s; " + (result.restarts() == 0 ? "no failure"
                    : "after the failure it restored " + result.restoredCheckpoint().getFileName()
                    + " and went on from the offsets stored there"));

            TransactionMarkers.await(kafka.admin(), "riffle-demo", Duration.ofSeconds(60));
            Map<Long, long[]> seen = readCommitted(kafka.bootstrapServers());
            long results = 0;
            boolean exact = seen.size() == totals.size();
            for (Map.Entry<Long, Long> total : totals.entrySet()) {
                long[] countAndLast = seen.get(total.getKey());
                exact &= countAndLast != null && countAndLast[1] == total.getValue();
            }
            for (long[] countAndLast : seen.values()) {
                results += countAndLast[0];
            }
            exact &= results == records;
            out.println("a read_committed consumer of '" + OUT + "' sees " + results + " results; the first keys' last"
                    + " sums:");
            int shown = 0;
            for (Map.Entry<Long, long[]> e : seen.entrySet()) {
                if (shown++ == 5) {
                    break;
                }
                out.println("  key " + e.getKey() + ": " + e.getValue()[1] + " (input total " + totals.get(e.getKey())
                        + ")");
            }
            out.println(exact ? "exactly once: one result per input record, every key's last sum equals its input total"
                    : "NOT exactly once: the output differs from the input's totals");
            return exact;
        } finally {
            deleteTree(checkpoints);
        }
    }

    /** Writes the records, "key,value" keyed by key, and returns each key's total; fails if one was not written. */
    private static Map<Long, Long> fill(String servers, int records, int keys) throws Exception {
        Map<Long, Long> totals = new TreeMap<>();
        Random random = new Random(42);
        List<Future<RecordMetadata>> sent = new ArrayList<>(records);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 5),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                long key = random.nextInt(keys);
                long value = random.nextInt(100);
                totals.merge(key, value, Long::sum);
                byte[] k = Long.toString(key).getBytes(StandardCharsets.UTF_8);
                byte[] v = (key + "," + value).getBytes(StandardCharsets.UTF_8);
                sent.add(producer.send(new ProducerRecord<>(IN, k, v)));
            }
        }
        for (Future<RecordMetadata> f : sent) {
            f.get();
        }
        return totals;
    }

    /** Per key of the output topic: how many results, and the last running sum (the highest). */
    private static Map<Long, long[]> readCommitted(String servers) {
        Map<Long, long[]> byKey = new TreeMap<>();
        CommittedRecords.forEach(servers, OUT, r -> {
            String[] fields = new String(r.value(), StandardCharsets.UTF_8).split(",");
            long[] countAndLast = byKey.computeIfAbsent(Long.parseLong(fields[0]), k -> new long[2]);
            countAndLast[0]++;
            countAndLast[1] = Math.max(countAndLast[1], Long.parseLong(fields[1]));
        });
        return byKey;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
