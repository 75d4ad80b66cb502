package io.riffle.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import io.riffle.kafka.broker.LocalKafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** K1's pieces on a real broker: the generator's totals, the raw loop's output, and what the verifier rejects. */
class KafkaRunningSumTest {
    private static final int KEYS = 10;
    private static final long RECORDS = 2_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final KafkaContender.RunningJob NOTHING_RUNNING = new KafkaContender.RunningJob() {
        @Override
        public void checkAlive() {
        }

        @Override
        public void close() {
        }
    };

    private static LocalKafkaBroker kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = LocalKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @Test
    void generatorTotalsAreTheSumsOfWhatItWrote() throws Exception {
        kafka.createTopic("gen-in", 2);
        long[] totals = InputTopic.fill(kafka.bootstrapServers(), "gen-in", RECORDS, KEYS, 7);
        long all = 0;
        for (long t : totals) {
            all += t;
        }
        long[] again = InputTopic.fill(kafka.bootstrapServers(), "gen-in", RECORDS, KEYS, 7);
        assertEquals(Arrays.toString(totals), Arrays.toString(again), "same seed, same data");
        // Amounts are 1 to 1000.
        assertTrue(all >= RECORDS && all <= 1000 * RECORDS, "total " + all);
    }

    @Test
    void rawLoopWritesEveryRunningSumOnceAndTheVerifierAcceptsIt(@TempDir Path scratch) throws Exception {
        kafka.createTopic("raw-in", 4);
        kafka.createTopic("raw-out", 4);
        long[] totals = InputTopic.fill(kafka.bootstrapServers(), "raw-in", RECORDS, KEYS, 19);
        KafkaJob job = new KafkaJob(kafka.bootstrapServers(), "raw-in", "raw-out", "raw-test", 2,
                Duration.ofMillis(100), scratch);
        try (OutputVerifier verifier = new OutputVerifier(kafka.bootstrapServers(), "raw-out");
             KafkaContender.RunningJob running = new RawLoopContender().start(job)) {
            long[] count = new long[1];
            verifier.await("raw-loop", RECORDS, totals, running::checkAlive, TIMEOUT, (k, sum, nanos) -> count[0]++);
            assertEquals(RECORDS, count[0]);
            double share = running.kafkaClientShare();
            assertTrue(share > 0 && share <= 1, "client share " + share);
        }
    }

    @Test
    void verifierRejectsAWrongFinalSum() throws Exception {
        kafka.createTopic("wrong-out", 1);
        commit("wrong-out", new long[][] {{3, 4}, {3, 5}});
        try (OutputVerifier verifier = new OutputVerifier(kafka.bootstrapServers(), "wrong-out")) {
            long[] totals = new long[KEYS];
            totals[3] = 6;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> verifier.await("someone", 2,
                    totals, NOTHING_RUNNING::checkAlive, TIMEOUT, (k, sum, nanos) -> { }));
            assertEquals("someone: key 3 ends at running sum 5, but its input amounts total 6", e.getMessage());
        }
    }

    @Test
    void verifierRejectsMoreRecordsThanTheInputHad() throws Exception {
        kafka.createTopic("dup-out", 1);
        commit("dup-out", new long[][] {{1, 2}, {1, 2}, {1, 2}});
        try (OutputVerifier verifier = new OutputVerifier(kafka.bootstrapServers(), "dup-out")) {
            long[] totals = new long[KEYS];
            totals[1] = 2;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> verifier.await("someone", 2,
                    totals, NOTHING_RUNNING::checkAlive, TIMEOUT, (k, sum, nanos) -> { }));
            assertEquals("someone: dup-out holds more than the 2 expected output records (a duplicate, or output"
                    + " of aborted input)", e.getMessage());
        }
    }

    @Test
    void verifierDoesNotCountAbortedOutput() throws Exception {
        kafka.createTopic("aborted-out", 1);
        try (KafkaProducer<byte[], byte[]> producer = transactional("aborted")) {
            producer.beginTransaction();
            producer.send(record("aborted-out", 2, 100));
            producer.abortTransaction();
        }
        commit("aborted-out", new long[][] {{2, 7}});
        try (OutputVerifier verifier = new OutputVerifier(kafka.bootstrapServers(), "aborted-out")) {
            long[] totals = new long[KEYS];
            totals[2] = 7;
            verifier.await("someone", 1, totals, NOTHING_RUNNING::checkAlive, TIMEOUT, (k, sum, nanos) -> { });
        }
    }

    @Test
    void verifierFailsWhenTheWriterFails() throws Exception {
        kafka.createTopic("failed-out", 1);
        try (OutputVerifier verifier = new OutputVerifier(kafka.bootstrapServers(), "failed-out")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> verifier.await("someone", 1,
                    new long[KEYS], () -> {
                        throw new IllegalStateException("the job broke");
                    }, TIMEOUT, (k, sum, nanos) -> { }));
            assertEquals("the job broke", e.getMessage());
        }
    }

    /** Commits one transaction holding (key, running sum) records. */
    private static void commit(String topic, long[][] records) {
        try (KafkaProducer<byte[], byte[]> producer = transactional(topic + "-writer")) {
            producer.beginTransaction();
            for (long[] r : records) {
                producer.send(record(topic, r[0], r[1]));
            }
            producer.commitTransaction();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, long key, long sum) {
        return new ProducerRecord<>(topic, KeyedAmount.recordKey(key), KeyedAmount.value(key, sum));
    }

    private static KafkaProducer<byte[], byte[]> transactional(String id) {
        Map<String, Object> config = new HashMap<>(InputTopic.producerConfig(kafka.bootstrapServers()));
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config);
        producer.initTransactions();
        return producer;
    }
}
