package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.engine.Environment;
import io.riffle.engine.RecoveryScript;
import io.riffle.engine.connector.TwoPhaseCommitWriter;
import io.riffle.engine.internal.connector.GeneratorSource;
import io.riffle.kafka.broker.LocalKafkaBroker;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** KafkaSink against a real single-node Kafka broker: exactly-once under failures, take-over, bad settings. */
@Timeout(300)
class KafkaSinkTest {
    private static final long RECORDS = 6_000;
    private static final BatchSchema KEY_VALUE = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));

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

    private static Environment env(int parallelism) {
        return Environment.streaming().setParallelism(parallelism).setBatchSize(64).setChannelCapacity(8);
    }

    private static KafkaSink.Builder sink(String topic) {
        return KafkaSink.builder().bootstrapServers(kafka.bootstrapServers()).topic(topic).encoder(new KeyValueText());
    }

    private static KafkaSink exactlyOnce(String topic, String prefix) {
        return sink(topic).deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix(prefix).build();
    }

    private static List<String> sorted(List<String> values) {
        List<String> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    /** The keyed running sums of the generator, written failure-free to a topic of their own. */
    private static List<String> reference(String topic) throws Exception {
        kafka.createTopic(topic, 3);
        Environment env = env(1);
        env.fromSource(new GeneratorSource(RECORDS, 97)).keyBy("key").sum("value")
                .addSink(exactlyOnce(topic, topic));
        env.execute(topic);
        KafkaTopics.awaitMarkers(kafka.admin(), topic + "-");
        return sorted(KafkaTopics.committedValues(kafka.bootstrapServers(), topic));
    }

    @Test
    void exactlyOnceUnderInjectedFailuresCommitsExactlyTheFailureFreeOutput() throws Exception {
        List<String> expected = reference("sums-reference");
        assertEquals(RECORDS, expected.size());
        for (int p : new int[] {1, 2, 4}) {
            String topic = "sums-eo-" + p;
            kafka.createTopic(topic, 3);
            RecoveryScript script = RecoveryScript.random(p * 31L, 2, RECORDS / p, "keyBy(key).sum(value)",
                    "kafka(" + topic + ")");
            Environment env = script.configure(env(p), dir.resolve("checkpoints-" + p));
            env.fromSource(script.source(new GeneratorSource(RECORDS, 97))).keyBy("key").sum("value")
                    .addSink(exactlyOnce(topic, topic));
            script.run(env, topic);
            KafkaTopics.awaitMarkers(kafka.admin(), topic + "-");
            // Sources in parallel interleave a key's records in any order, so the running sums in between differ
            // from run to run: each key's count of results and its final sum do not.
            assertEquals(KafkaTopics.countAndLastSumByKey(expected), KafkaTopics.countAndLastSumByKey(
                    KafkaTopics.committedValues(kafka.bootstrapServers(), topic)), script.toString());
            assertEquals(List.of(), KafkaTopics.openTransactions(kafka.admin(), topic + "-"), script.toString());
        }
    }

    @Test
    void aCheckpointWithoutRecordsPreparesNothingAndTheNextTransactionReusesTheCommittedProducer() throws Exception {
        kafka.createTopic("pool", 1);
        KafkaSink sink = exactlyOnce("pool", "pool");
        try (BufferAllocator allocator = new RootAllocator()) {
            TwoPhaseCommitWriter writer = (TwoPhaseCommitWriter) sink.createWriter(KEY_VALUE, KafkaSourceTest.context(allocator, 0, 1, 64));
            try {
                assertNull(writer.prepareCommit(1), "a checkpoint with no records has nothing to commit");
                write(writer, allocator, 1, 10);
                byte[] second = writer.prepareCommit(2);
                write(writer, allocator, 2, 20);
                byte[] third = writer.prepareCommit(3);
                assertEquals(List.of("pool-0-0"), ids(second));
                assertEquals(List.of("pool-0-0", "pool-0-1"), ids(third),
                        "checkpoint 2 may be aborted: checkpoint 3 commits its transaction too");
                assertEquals(List.of(), KafkaTopics.committedValues(kafka.bootstrapServers(), "pool"));
                sink.commit(List.of(second));
                KafkaTopics.awaitMarkers(kafka.admin(), "pool-");
                assertEquals(List.of("1,10"), KafkaTopics.committedValues(kafka.bootstrapServers(), "pool"));
                assertEquals(List.of("pool-0-1"), ids(writer.prepareCommit(4)),
                        "no records since checkpoint 3, whose transaction is not committed yet");
                write(writer, allocator, 3, 30);
                byte[] fifth = writer.prepareCommit(5);
                assertEquals(List.of("pool-0-1", "pool-0-0"), ids(fifth),
                        "the producer whose transaction committed opens the next one");
                sink.commit(List.of(fifth));
                KafkaTopics.awaitMarkers(kafka.admin(), "pool-");
                assertEquals(List.of("1,10", "2,20", "3,30"),
                        KafkaTopics.committedValues(kafka.bootstrapServers(), "pool"));
                assertNull(writer.prepareCommit(6), "everything is committed and nothing new was written");
                sink.commit(List.of(third));
                KafkaTopics.awaitMarkers(kafka.admin(), "pool-");
                assertEquals(List.of("1,10", "2,20", "3,30"),
                        KafkaTopics.committedValues(kafka.bootstrapServers(), "pool"),
                        "a late commit of a committed checkpoint changes nothing");
                sink.jobEnded();
            } finally {
                writer.close();
            }
        }
    }

    @Test
    void theLastCommittableOfAFinishedWriterNamesTheTransactionOfACheckpointThatNeverCompleted() throws Exception {
        kafka.createTopic("unfinished", 1);
        KafkaSink sink = exactlyOnce("unfinished", "unfinished");
        try (BufferAllocator allocator = new RootAllocator()) {
            TwoPhaseCommitWriter writer = (TwoPhaseCommitWriter) sink.createWriter(KEY_VALUE, KafkaSourceTest.context(allocator, 0, 1, 64));
            try {
                write(writer, allocator, 9, 90);
                writer.prepareCommit(1);
                // Checkpoint 1 is aborted (the job's input ended first); the end of input stages nothing new.
                writer.finish();
                byte[] last = writer.prepareCommit(2);
                assertEquals(List.of("unfinished-0-0"), ids(last));
                sink.commit(List.of(last));
                sink.jobEnded();
                KafkaTopics.awaitMarkers(kafka.admin(), "unfinished-");
                assertEquals(List.of("9,90"), KafkaTopics.committedValues(kafka.bootstrapServers(), "unfinished"));
            } finally {
                writer.close();
            }
        }
    }

    private static List<String> ids(byte[] committable) {
        List<String> ids = new ArrayList<>();
        for (SinkCommittable c : SinkCommittable.decode(committable, "", "test")) {
            ids.add(c.transactionalId());
        }
        return ids;
    }

    @Test
    void recoveryCommitsATransactionWhoseProducerDiedAndPassesOverOneCommittedBefore() throws Exception {
        kafka.createTopic("takeover", 1);
        KafkaSink crashed = exactlyOnce("takeover", "takeover");
        byte[] committable;
        try (BufferAllocator allocator = new RootAllocator()) {
            TwoPhaseCommitWriter writer = (TwoPhaseCommitWriter) crashed.createWriter(KEY_VALUE, KafkaSourceTest.context(allocator, 0, 1, 64));
            try {
                write(writer, allocator, 7, 70);
                committable = writer.prepareCommit(1);
                // The process dies here: its producer is never used again.
                KafkaSink restarted = exactlyOnce("takeover", "takeover");
                restarted.commit(List.of(committable));
                KafkaTopics.awaitMarkers(kafka.admin(), "takeover-");
                assertEquals(List.of("7,70"), KafkaTopics.committedValues(kafka.bootstrapServers(), "takeover"));
                restarted.commit(List.of(committable));
                restarted.abortUncommitted();
                restarted.jobEnded();
                KafkaTopics.awaitMarkers(kafka.admin(), "takeover-");
                assertEquals(List.of("7,70"), KafkaTopics.committedValues(kafka.bootstrapServers(), "takeover"));
                assertEquals(List.of(), KafkaTopics.openTransactions(kafka.admin(), "takeover-"));
                crashed.jobEnded();
            } finally {
                writer.close();
            }
        }
    }

    @Test
    void aTransactionTheBrokerAbortedBeforeItsCommitFailsRecoverySayingItsOutputIsLost() throws Exception {
        kafka.createTopic("lost", 1);
        KafkaSink crashed = exactlyOnce("lost", "lost");
        try (BufferAllocator allocator = new RootAllocator()) {
            TwoPhaseCommitWriter writer = (TwoPhaseCommitWriter) crashed.createWriter(KEY_VALUE, KafkaSourceTest.context(allocator, 0, 1, 64));
            try {
                write(writer, allocator, 1, 1);
                byte[] committable = writer.prepareCommit(4);
                // The transaction ends in an abort, as when the broker times it out, before any commit.
                crashed.abortUncommitted();
                KafkaSink restarted = exactlyOnce("lost", "lost");
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> restarted.commit(List.of(committable)));
                assertEquals("kafka sink 'lost': transaction lost-0-0 of checkpoint 4 was aborted by the broker before"
                        + " it could be committed, so its output is lost (did it stay open longer than the transaction"
                        + " timeout of 900000 ms?)", e.getMessage());
                restarted.jobEnded();
                crashed.jobEnded();
            } finally {
                writer.close();
            }
        }
    }

    @Test
    void recoveryAbortsTheOpenTransactionsOfItsPrefixThatNoCheckpointCovers() throws Exception {
        kafka.createTopic("leftover", 2);
        KafkaSink crashed = exactlyOnce("leftover", "leftover");
        try (BufferAllocator allocator = new RootAllocator()) {
            TwoPhaseCommitWriter writer = (TwoPhaseCommitWriter) crashed.createWriter(KEY_VALUE, KafkaSourceTest.context(allocator, 0, 1, 64));
            try {
                write(writer, allocator, 5, 50);
                writer.prepareCommit(1);
                write(writer, allocator, 6, 60);
                writer.finish();
                assertEquals(List.of("leftover-0-0", "leftover-0-1"),
                        sorted(KafkaTopics.openTransactions(kafka.admin(), "leftover-")));
                KafkaSink restarted = exactlyOnce("leftover", "leftover");
                restarted.abortUncommitted();
                KafkaTopics.awaitMarkers(kafka.admin(), "leftover-");
                assertEquals(List.of(), KafkaTopics.openTransactions(kafka.admin(), "leftover-"));
                assertEquals(List.of(), KafkaTopics.committedValues(kafka.bootstrapServers(), "leftover"));
                restarted.jobEnded();
                crashed.jobEnded();
            } finally {
                writer.close();
            }
        }
    }

    @Test
    void aTransactionTimeoutNotLongerThanTheCheckpointIntervalIsRefusedWhenTheJobStarts() throws Exception {
        kafka.createTopic("timeout", 1);
        Environment env = env(1).enableCheckpointing(Duration.ofMinutes(2), dir.resolve("checkpoints"));
        env.fromSource(new GeneratorSource(10, 2)).addSink(sink("timeout")
                .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix("timeout")
                .transactionTimeout(Duration.ofMinutes(1)).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> env.executeAsync("timeout"));
        assertEquals("kafka sink 'timeout': its transaction timeout (60000 ms) is not longer than the checkpoint"
                + " interval (120000 ms), so the broker would abort each transaction before its checkpoint commits"
                + " it: raise transactionTimeout (at most the broker's transaction.max.timeout.ms) or checkpoint more"
                + " often", e.getMessage());
    }

    @Test
    void aTransactionTimeoutLongerThanTheBrokerAllowsFailsTheJobSayingWhichSettingToChange() throws Exception {
        try (LocalKafkaBroker strict = LocalKafkaBroker.start(null, Map.of("transaction.max.timeout.ms", "60000"))) {
            strict.createTopic("strict", 1);
            Environment env = env(1);
            env.fromSource(new GeneratorSource(10, 2)).addSink(KafkaSink.builder()
                    .bootstrapServers(strict.bootstrapServers()).topic("strict").encoder(new KeyValueText())
                    .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix("strict")
                    .transactionTimeout(Duration.ofMinutes(2)).build());
            Exception e = assertThrows(Exception.class, () -> env.execute("strict"));
            assertTrue(KafkaSourceTest.messages(e).contains("kafka sink 'strict': its transaction timeout of 120000 ms is longer than"
                    + " the brokers allow (transaction.max.timeout.ms = 60000 ms): lower transactionTimeout or raise"
                    + " that broker setting"), KafkaSourceTest.messages(e));
        }
    }

    @Test
    void unreachableBrokersFailTheJobNamingThemWithinTheConnectTimeout() {
        Environment env = env(1);
        env.fromSource(new GeneratorSource(10, 2)).addSink(KafkaSink.builder()
                .bootstrapServers("localhost:1").topic("nowhere").encoder(new KeyValueText())
                .connectTimeout(Duration.ofSeconds(2)).build());
        Exception e = assertThrows(Exception.class, () -> env.execute("unreachable"));
        assertTrue(KafkaSourceTest.messages(e).contains("kafka sink 'nowhere': no Kafka broker at localhost:1 answered within"
                + " 2000 ms (to describe topic 'nowhere')"), KafkaSourceTest.messages(e));
    }

    @Test
    void aMissingTopicFailsTheJobNamingIt() {
        Environment env = env(1);
        env.fromSource(new GeneratorSource(10, 2)).addSink(sink("no-such-topic").build());
        Exception e = assertThrows(Exception.class, () -> env.execute("missing"));
        assertTrue(KafkaSourceTest.messages(e).contains("kafka sink: topic 'no-such-topic' does not exist on "
                + kafka.bootstrapServers()), KafkaSourceTest.messages(e));
    }

    @Test
    void atLeastOnceAndNoGuaranteeWriteEveryRecordOfAFinishedJob() throws Exception {
        for (DeliveryGuarantee g : new DeliveryGuarantee[] {DeliveryGuarantee.AT_LEAST_ONCE, DeliveryGuarantee.NONE}) {
            String topic = "plain-" + g.name().toLowerCase();
            kafka.createTopic(topic, 2);
            Environment env = env(2);
            env.fromSource(new GeneratorSource(1_000, 10))
                    .addSink(sink(topic).deliveryGuarantee(g).build());
            env.execute(topic);
            assertEquals(1_000, KafkaTopics.committedValues(kafka.bootstrapServers(), topic).size(), g.name());
        }
    }

    private static void write(TwoPhaseCommitWriter writer, BufferAllocator allocator, long key, long value)
            throws Exception {
        try (RecordBatch batch = RecordBatchBuilder.fromRows(KEY_VALUE, allocator, new Object[] {key, value})) {
            writer.write(batch);
        }
    }
}
