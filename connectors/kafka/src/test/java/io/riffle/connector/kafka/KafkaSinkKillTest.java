package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.riffle.engine.Environment;
import io.riffle.engine.internal.connector.GeneratorSource;
import io.riffle.kafka.broker.LocalKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a separate Riffle JVM while it writes a Kafka transaction, then a new JVM restored from the
 * checkpoint directory: the committed output is the failure-free run's, and no transaction stays open.
 */
@Timeout(300)
class KafkaSinkKillTest {
    private static final long RECORDS = 100_000;

    private static LocalKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = LocalKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @Test
    void aJvmKilledMidTransactionAndRestoredFromItsCheckpointsCommitsTheFailureFreeOutput() throws Exception {
        kafka.createTopic("kill-reference", 3);
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(64).setChannelCapacity(8);
        env.fromSource(new GeneratorSource(RECORDS, 97)).keyBy("key").sum("value")
                .addSink(KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).topic("kill-reference")
                        .encoder(new KeyValueText()).deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .transactionalIdPrefix("kill-reference").build());
        env.execute("kill-reference");
        KafkaTopics.awaitMarkers(kafka.admin(), "kill-reference-");
        Map<Long, List<Long>> expected = KafkaTopics.countAndLastSumByKey(
                KafkaTopics.committedValues(kafka.bootstrapServers(), "kill-reference"));

        kafka.createTopic("killed", 3);
        Path checkpoints = dir.resolve("checkpoints");
        Process first = start(checkpoints, 2_000, false);
        try (Writer commands = new OutputStreamWriter(first.getOutputStream(), StandardCharsets.UTF_8)) {
            BufferedReader answers = new BufferedReader(new InputStreamReader(first.getInputStream(),
                    StandardCharsets.UTF_8));
            for (int i = 1; i <= 2; i++) {
                commands.write("checkpoint\n");
                commands.flush();
                assertEquals("checkpoint " + i, answers.readLine());
            }
            awaitOpenTransaction("killed-");
            first.destroyForcibly();
            assertTrue(first.waitFor(60, TimeUnit.SECONDS));
            assertFalse(KafkaTopics.openTransactions(kafka.admin(), "killed-").isEmpty(),
                    "the kill left a transaction open");
        }

        Process second = start(checkpoints, 0, true);
        second.getOutputStream().close();
        BufferedReader answers = new BufferedReader(new InputStreamReader(second.getInputStream(),
                StandardCharsets.UTF_8));
        assertEquals("finished", answers.readLine());
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, second.exitValue());
        KafkaTopics.awaitMarkers(kafka.admin(), "killed-");
        assertEquals(expected, KafkaTopics.countAndLastSumByKey(KafkaTopics.committedValues(kafka.bootstrapServers(), "killed")));
        assertEquals(List.of(), KafkaTopics.openTransactions(kafka.admin(), "killed-"));
    }

    private Process start(Path checkpoints, long perSecond, boolean restore) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), CheckpointedJobProcess.class.getName(),
                kafka.bootstrapServers(), "killed", checkpoints.toString(), Long.toString(RECORDS),
                Long.toString(perSecond)));
        if (restore) {
            command.add("restore");
        }
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Waits until the job has written records of a transaction that no checkpoint covers yet. */
    private static void awaitOpenTransaction(String prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (KafkaTopics.openTransactions(kafka.admin(), prefix).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no transaction of " + prefix + "* opened within 60 s");
            }
            Thread.sleep(10);
        }
    }

}
