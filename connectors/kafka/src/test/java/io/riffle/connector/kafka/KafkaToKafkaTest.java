package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.Environment;
import io.riffle.engine.RecoveryScript;
import io.riffle.kafka.broker.LocalKafkaBroker;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Topic to topic, exactly once, through failures the test injects between checkpoints it takes. */
@Timeout(300)
class KafkaToKafkaTest {
    private static final BatchSchema KEY_VALUE = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));
    private static final int RECORDS = 4_000;

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

    @Test
    void aKeyedSumFromTopicToTopicCommitsExactlyTheFailureFreeResultThroughFailures() throws Exception {
        kafka.createTopic("k2k-in", 3);
        Map<Long, List<Long>> expected = new TreeMap<>();
        List<ProducerRecord<byte[], byte[]>> records = new java.util.ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            long key = i % 13;
            records.add(new ProducerRecord<>("k2k-in", i % 3, null, (key + "," + i).getBytes(StandardCharsets.UTF_8)));
            expected.merge(key, List.of(1L, (long) i), (a, b) -> List.of(a.get(0) + 1, a.get(1) + b.get(1)));
        }
        KafkaTopics.sendAll(kafka.bootstrapServers(), records);
        for (int p : new int[] {1, 2, 4}) {
            String out = "k2k-out-" + p;
            kafka.createTopic(out, 2);
            RecoveryScript script = RecoveryScript.random(p * 5L + 3, 2, RECORDS / 3, "keyBy(key).sum(value)",
                    "kafka(" + out + ")");
            Environment env = script.configure(Environment.streaming().setParallelism(p).setBatchSize(64)
                    .setChannelCapacity(8), dir.resolve("checkpoints-" + p));
            env.fromSource(script.source(KafkaSource.builder().bootstrapServers(kafka.bootstrapServers())
                            .topics("k2k-in").bounded().decoder(RecordDecoders.csv(KEY_VALUE)).build()))
                    .keyBy("key").sum("value")
                    .addSink(KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).topic(out)
                            .encoder(RecordEncoders.csv().withKey("key"))
                            .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix(out).build());
            script.run(env, out);
            KafkaTopics.awaitMarkers(kafka.admin(), out + "-");
            assertEquals(expected, KafkaTopics.countAndLastSumByKey(KafkaTopics.committedValues(
                    kafka.bootstrapServers(), out)), script.toString());
            assertEquals(List.of(), KafkaTopics.openTransactions(kafka.admin(), out + "-"), script.toString());
        }
    }
}
