package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.riffle.engine.Environment;
import io.riffle.engine.JobHandle;
import io.riffle.engine.RestartStrategy;
import io.riffle.engine.internal.connector.GeneratorSource;
import io.riffle.kafka.broker.ChildKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The broker restarts under a running exactly-once job: nothing committed is lost or doubled. */
@Timeout(300)
class KafkaBrokerRestartTest {
    private static final long RECORDS = 30_000;

    @TempDir
    Path dir;

    @Test
    void aBrokerRestartedDuringTheJobLosesAndDoublesNothing() throws Exception {
        try (ChildKafkaBroker kafka = ChildKafkaBroker.start(dir.resolve("kafka"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("restart-reference", 3, (short) 1),
                    new NewTopic("restarted", 3, (short) 1))).all().get();
            Environment reference = Environment.streaming().setParallelism(2);
            reference.fromSource(new GeneratorSource(RECORDS, 97)).keyBy("key").sum("value")
                    .addSink(sink(kafka, "restart-reference"));
            reference.execute("restart-reference");
            KafkaTopics.awaitMarkers(admin, "restart-reference-");

            Environment env = Environment.streaming().setParallelism(2)
                    .enableCheckpointing(Duration.ZERO, dir.resolve("checkpoints"))
                    .setRestartStrategy(RestartStrategy.fixedDelay(20, Duration.ofMillis(200)));
            env.fromSource(new GeneratorSource(RECORDS, 97, 5_000)).keyBy("key").sum("value")
                    .addSink(sink(kafka, "restarted"));
            JobHandle job = env.executeAsync("restarted");
            assertEquals(1L, job.triggerCheckpoint().get());
            kafka.restart();
            job.await();
            KafkaTopics.awaitMarkers(admin, "restarted-");
            assertEquals(KafkaTopics.countAndLastSumByKey(KafkaTopics.committedValues(kafka.bootstrapServers(),
                    "restart-reference")), KafkaTopics.countAndLastSumByKey(KafkaTopics.committedValues(kafka.bootstrapServers(),
                    "restarted")));
            assertEquals(List.of(), KafkaTopics.openTransactions(admin, "restarted-"));
        }
    }

    private static KafkaSink sink(ChildKafkaBroker kafka, String topic) {
        return KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).topic(topic).encoder(new KeyValueText())
                .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix(topic).build();
    }

}
