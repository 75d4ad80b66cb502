package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Environment;
import io.riffle.engine.OutputTag;
import io.riffle.engine.RecoveryScript;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.kafka.broker.LocalKafkaBroker;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** KafkaSource against a real single-node Kafka broker. */
@Timeout(300)
class KafkaSourceTest {
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
    static void stopBroker() {
        kafka.close();
    }

    /** Writes "key,value" records {@code 0 .. count - 1} (key i mod keys) round robin over the partitions. */
    private static void fill(String topic, int partitions, int count, int keys) throws Exception {
        kafka.createTopic(topic, partitions);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new ProducerRecord<>(topic, i % partitions, null, text((i % keys) + "," + i)));
        }
        KafkaTopics.sendAll(kafka.bootstrapServers(), records);
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaSource.Builder source(String topic) {
        return KafkaSource.builder().bootstrapServers(kafka.bootstrapServers()).topics(topic)
                .decoder(RecordDecoders.csv(KEY_VALUE));
    }

    private static List<Tuple> sorted(List<Tuple> tuples) {
        List<Tuple> copy = new ArrayList<>(tuples);
        copy.sort((a, b) -> Long.compare(a.getLong(1), b.getLong(1)));
        return copy;
    }

    @Test
    void aBoundedReadReturnsEveryRecordOnceAtAnyParallelism() throws Exception {
        fill("numbers", 3, 2_000, 7);
        List<Tuple> expected = new ArrayList<>();
        for (long i = 0; i < 2_000; i++) {
            expected.add(Tuple.of(i % 7, i));
        }
        for (int p : new int[] {1, 2, 4}) {
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(128);
            List<Tuple> rows = Collections.synchronizedList(new ArrayList<>());
            env.fromSource(source("numbers").bounded().build()).collect(rows);
            env.execute("numbers-" + p);
            assertEquals(expected, sorted(rows), "parallelism " + p);
        }
    }

    @Test
    void aKeyedSumOverAJobRestoredAfterFailuresReadsEachRecordOnce() throws Exception {
        fill("restored", 3, 3_000, 11);
        Map<Long, Long> totals = new TreeMap<>();
        for (long i = 0; i < 3_000; i++) {
            totals.merge(i % 11, i, Long::sum);
        }
        for (int p : new int[] {1, 2}) {
            RecoveryScript script = RecoveryScript.random(17 + p, 2, 3_000 / 3, "keyBy(key).sum(value)");
            List<Tuple> sums = Collections.synchronizedList(new ArrayList<>());
            Environment env = script.configure(Environment.streaming().setParallelism(p).setBatchSize(64)
                    .setChannelCapacity(8), dir.resolve("checkpoints-" + p));
            env.fromSource(script.source(source("restored").bounded().build())).keyBy("key").sum("value")
                    .collect(sums);
            script.run(env, "restored-" + p);
            Map<Long, Long> last = new TreeMap<>();
            for (Tuple t : sums) {
                last.merge(t.getLong(0), t.getLong(1), Math::max);
            }
            assertEquals(totals, last, script.toString());
            assertEquals(3_000, sums.size(), script.toString());
        }
    }

    @Test
    void aReaderRestoredFromAPositionGoesOnAfterTheLastBatchItReturned() throws Exception {
        fill("positions", 2, 500, 5);
        KafkaSource source = source("positions").bounded().build();
        try (BufferAllocator allocator = new RootAllocator()) {
            List<Long> first = new ArrayList<>();
            byte[] position;
            try (SourceReader reader = source.createReader(context(allocator, 0, 1, 50))) {
                while (first.size() < 120) {
                    read(reader, first);
                }
                position = reader.position();
            }
            List<Long> rest = new ArrayList<>();
            try (SourceReader reader = source.restoreReader(context(allocator, 0, 1, 50), List.of(position))) {
                while (!reader.isFinished()) {
                    read(reader, rest);
                }
            }
            List<Long> all = new ArrayList<>(first);
            all.addAll(rest);
            Collections.sort(all);
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < 500; i++) {
                expected.add(i);
            }
            assertEquals(expected, all);
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }

    /**
     * Transactional input: a bounded read returns the committed records only, ends although the partition ends in
     * a commit marker, and does not wait for a transaction still open when the job starts (its end is the last
     * stable offset).
     */
    @Test
    void aBoundedReadOfTransactionalInputReturnsCommittedRecordsAndEndsAtTheLastStableOffset() throws Exception {
        kafka.createTopic("transactional", 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "transactional-input"), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", 0, null, text("0,1")));
            producer.send(new ProducerRecord<>("transactional", 0, null, text("0,2")));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", 0, null, text("0,3")));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", 0, null, text("0,4")));
            producer.commitTransaction();
            io.riffle.kafka.broker.TransactionMarkers.await(kafka.admin(), "transactional-input",
                    Duration.ofSeconds(60));
            assertEquals(List.of(1L, 2L, 4L), values(source("transactional").bounded().build()),
                    "committed records only, and the read ends after the last commit marker");
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactional", 0, null, text("0,5"))).get(30, TimeUnit.SECONDS);
            assertEquals(List.of(1L, 2L, 4L), values(source("transactional").bounded().build()),
                    "an open transaction is past the last stable offset: the read does not wait for it");
            producer.abortTransaction();
        }
    }

    @Test
    void startingOffsetsLatestCommittedAndTimestampStartWhereTheySay() throws Exception {
        kafka.createTopic("starts", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("starts", 0, 1_000L * i, null, text("0," + i)));
            }
        }
        kafka.admin().alterConsumerGroupOffsets("starts-group", Map.of(new TopicPartition("starts", 0),
                new OffsetAndMetadata(7))).all().get(30, TimeUnit.SECONDS);
        assertEquals(List.of(), values(source("starts").bounded().startingOffsets(StartingOffsets.latest()).build()));
        assertEquals(List.of(7L, 8L, 9L), values(source("starts").bounded().groupId("starts-group")
                .startingOffsets(StartingOffsets.committed()).build()));
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), values(source("starts").bounded()
                .startingOffsets(StartingOffsets.timestamp(3_500)).build()));
        assertEquals(10, values(source("starts").bounded().groupId("no-offsets-yet")
                .startingOffsets(StartingOffsets.committed()).build()).size());
    }

    @Test
    void theOffsetsOfEachCompleteCheckpointAreCommittedToTheGroup() throws Exception {
        fill("monitored", 2, 100, 3);
        KafkaSource source = source("monitored").groupId("monitoring").build();
        byte[] position;
        try (BufferAllocator allocator = new RootAllocator();
             SourceReader reader = source.createReader(context(allocator, 0, 1, 1000))) {
            List<Long> seen = new ArrayList<>();
            while (seen.size() < 100) {
                read(reader, seen);
            }
            position = reader.position();
        }
        source.checkpointComplete(3, List.of(position));
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.admin().listConsumerGroupOffsets("monitoring")
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        assertEquals(50, committed.get(new TopicPartition("monitored", 0)).offset());
        assertEquals(50, committed.get(new TopicPartition("monitored", 1)).offset());
        assertEquals("riffle checkpoint 3", committed.get(new TopicPartition("monitored", 0)).metadata());
    }

    @Test
    void aRecordThatCannotBeDecodedFailsTheJobNamingTopicPartitionAndOffset() throws Exception {
        kafka.createTopic("broken", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>("broken", 0, null, text("1,1")));
            producer.send(new ProducerRecord<>("broken", 0, null, text("2,two")));
        }
        Environment env = Environment.streaming().setParallelism(1);
        env.fromSource(source("broken").bounded().build()).collect(new ArrayList<>());
        Exception e = assertThrows(Exception.class, () -> env.execute("broken"));
        assertTrue(messages(e).contains("kafka source 'kafka(broken)': topic broken partition 0 offset 1: field"
                + " 'value': 'two' is not an int64"), messages(e));
    }

    @Test
    void recordsThatCannotBeDecodedGoToTheSideOutputWhenAsked() throws Exception {
        kafka.createTopic("mixed", 1);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (String v : new String[] {"1,1", "oops", "2,2", "3,x", "4,4"}) {
                producer.send(new ProducerRecord<>("mixed", 0, null, text(v)));
            }
        }
        Environment env = Environment.streaming().setParallelism(1);
        List<Tuple> good = Collections.synchronizedList(new ArrayList<>());
        List<Tuple> bad = Collections.synchronizedList(new ArrayList<>());
        var stream = env.fromSource(source("mixed").bounded().badRecordsTo("bad").build());
        stream.collect(good);
        stream.getSideOutput(new OutputTag("bad")).collect(bad);
        env.execute("mixed");
        assertEquals(List.of(Tuple.of(1L, 1L), Tuple.of(2L, 2L), Tuple.of(4L, 4L)), good);
        assertEquals(List.of(Tuple.of("mixed", 0, 1L, "field 'key': 'oops' is not an int64"),
                Tuple.of("mixed", 0, 3L, "field 'value': 'x' is not an int64")), bad);
    }

    @Test
    void unreachableBrokersFailNamingThemWithinTheConnectTimeout() {
        Environment env = Environment.streaming().setParallelism(1);
        env.fromSource(KafkaSource.builder().bootstrapServers("localhost:1").topics("t")
                .decoder(RecordDecoders.csv(KEY_VALUE)).connectTimeout(Duration.ofSeconds(2)).build())
                .collect(new ArrayList<>());
        Exception e = assertThrows(Exception.class, () -> env.execute("unreachable"));
        assertTrue(messages(e).contains("kafka source 'kafka(t)': no Kafka broker at localhost:1 answered within"
                + " 2000 ms (to describe the topics)"), messages(e));
    }

    @Test
    void aMissingTopicFailsNamingIt() {
        Environment env = Environment.streaming().setParallelism(1);
        env.fromSource(source("no-such-topic").build()).collect(new ArrayList<>());
        Exception e = assertThrows(Exception.class, () -> env.execute("missing"));
        assertTrue(messages(e).contains("kafka source 'kafka(no-such-topic)': a topic of [no-such-topic] does not"
                + " exist on " + kafka.bootstrapServers()), messages(e));
    }

    @Test
    void aDamagedPositionInACheckpointFailsNamingTheSource() throws Exception {
        KafkaSource source = source("anything").build();
        try (BufferAllocator allocator = new RootAllocator()) {
            assertEquals("kafka source 'kafka(anything)': the checkpoint's position is damaged: a position of"
                    + " version 9, this Riffle reads version 1", assertThrows(IllegalArgumentException.class,
                    () -> source.restoreReader(context(allocator, 0, 1, 10), List.of(new byte[] {9}))).getMessage());
            assertEquals("kafka source 'kafka(anything)': the checkpoint's position is damaged: a position cut short"
                    + " (7 bytes)", assertThrows(IllegalArgumentException.class, () -> source.restoreReader(
                    context(allocator, 0, 1, 10), List.of(new byte[] {1, 0, 0, 0, 1, 0, 0}))).getMessage());
        }
    }

    @Test
    void badSettingsAreRefusedWhenTheSourceIsBuilt() {
        assertEquals("a kafka source needs topics or a topic pattern, not both", assertThrows(
                IllegalArgumentException.class, () -> KafkaSource.builder().bootstrapServers("x")
                        .decoder(RecordDecoders.csv(KEY_VALUE)).build()).getMessage());
        assertEquals("a kafka source starting from committed offsets needs a groupId", assertThrows(
                IllegalArgumentException.class, () -> source("t").startingOffsets(StartingOffsets.committed())
                        .build()).getMessage());
    }

    private static List<Long> values(KafkaSource source) throws Exception {
        List<Long> values = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             SourceReader reader = source.createReader(context(allocator, 0, 1, 100))) {
            while (!reader.isFinished()) {
                read(reader, values);
            }
        }
        return values;
    }

    /** Reads one batch (or none) into {@code values}: the value column. */
    static void read(SourceReader reader, List<Long> values) throws Exception {
        RecordBatch batch = reader.next();
        if (batch != null) {
            for (int r = 0; r < batch.rowCount(); r++) {
                values.add(batch.int64(1).get(r));
            }
        }
    }

    static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" / ");
        }
        return all.toString();
    }

    static TaskContext context(BufferAllocator allocator, int subtask, int parallelism, int batchSize) {
        return new TaskContext() {
            @Override
            public String operatorName() {
                return "source";
            }

            @Override
            public int subtask() {
                return subtask;
            }

            @Override
            public int parallelism() {
                return parallelism;
            }

            @Override
            public BufferAllocator allocator() {
                return allocator;
            }

            @Override
            public int batchSize() {
                return batchSize;
            }
        };
    }
}
