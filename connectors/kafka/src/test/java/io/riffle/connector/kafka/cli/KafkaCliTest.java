package io.riffle.connector.kafka.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.riffle.kafka.broker.CommittedRecords;
import io.riffle.kafka.broker.LocalKafkaBroker;
import io.riffle.kafka.broker.TransactionMarkers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/riffle}'s Kafka commands against a real broker: the built-in jobs topic to topic, the demo, bad usage. */
@Timeout(300)
class KafkaCliTest {
    private static LocalKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = LocalKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    /** What a command printed and returned. */
    private record Ran(int code, List<String> out, String err) {
        String last() {
            return out.isEmpty() ? "" : out.get(out.size() - 1);
        }
    }

    private static Ran riffle(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KafkaCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        List<String> lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
        return new Ran(code, lines, err.toString(StandardCharsets.UTF_8).trim());
    }

    @Test
    void keyedSumRunsFromATopicToATopicExactlyOnce() throws Exception {
        kafka.createTopic("cli-numbers", 3);
        kafka.createTopic("cli-sums", 2);
        Map<Long, Long> totals = new TreeMap<>();
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < 3_000; i++) {
                long key = i % 17;
                totals.merge(key, (long) i, Long::sum);
                sent.add(producer.send(new ProducerRecord<>("cli-numbers",
                        (key + "," + i).getBytes(StandardCharsets.UTF_8))));
            }
        }
        for (var f : sent) {
            f.get();
        }
        Ran ran = riffle("run", "keyed-sum", "--bootstrap", kafka.bootstrapServers(), "--kafka-in", "cli-numbers",
                "--kafka-out", "cli-sums", "--bounded", "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                "--checkpoint-interval", "50");
        assertEquals(0, ran.code(), ran.err());
        assertTrue(ran.last().startsWith("{\"job\":\"keyed-sum\",\"records\":3000,"), ran.last());
        TransactionMarkers.await(kafka.admin(), "riffle-keyed-sum-cli-sums", Duration.ofSeconds(60));
        Map<Long, Long> last = new TreeMap<>();
        int results = 0;
        for (String value : committed("cli-sums")) {
            String[] fields = value.split(",");
            last.merge(Long.parseLong(fields[0]), Long.parseLong(fields[1]), Math::max);
            results++;
        }
        assertEquals(3_000, results);
        assertEquals(totals, last);
    }

    @Test
    void theDemoEndsShowingExactlyOnce() {
        Ran ran = riffle("kafka-demo", "--records", "20000", "--keys", "10");
        assertEquals(0, ran.code(), ran.err());
        assertEquals("exactly once: one result per input record, every key's last sum equals its input total",
                ran.last());
        assertTrue(ran.out().get(3).startsWith("the job read "), ran.out().toString());
    }

    @Test
    void badUsageIsOneLineNamingTheOption() {
        Ran noTopic = riffle("run", "keyed-sum", "--bootstrap", kafka.bootstrapServers());
        assertEquals(2, noTopic.code());
        assertEquals("name a topic to read (--kafka-in) or to write (--kafka-out), or both", noTopic.err());
        Ran format = riffle("run", "keyed-sum", "--bootstrap", kafka.bootstrapServers(), "--kafka-out", "x",
                "--format", "xml");
        assertEquals(2, format.code());
        assertEquals("--format must be csv, json or binary: xml", format.err());
        Ran job = riffle("run", "join", "--bootstrap", kafka.bootstrapServers(), "--kafka-out", "x");
        assertEquals("unknown job 'join'; the Kafka jobs are keyed-sum, window-sum, wordcount", job.err());
    }

    private static List<String> committed(String topic) {
        List<String> values = new ArrayList<>();
        CommittedRecords.forEach(kafka.bootstrapServers(), topic,
                r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
        return values;
    }
}
