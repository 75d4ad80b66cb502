package io.riffle.connector.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.Environment;
import io.riffle.engine.JobHandle;
import io.riffle.engine.OperatorStats;
import io.riffle.engine.Tuple;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.Windows;
import io.riffle.engine.connector.SourceReader;
import io.riffle.kafka.broker.LocalKafkaBroker;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Watermarks per partition: a partition far behind holds the reader's watermark back, an idle one stops holding it,
 * all idle is idle, a record makes a partition active again. Idleness runs on a clock the test moves, never on time
 * passing.
 */
@Timeout(300)
class KafkaWatermarksTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static LocalKafkaBroker kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = LocalKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static void send(String topic, int partition, long key, long value, long time) throws Exception {
        KafkaTopics.sendAll(kafka.bootstrapServers(), List.of(new ProducerRecord<>(topic, partition, null,
                (key + "," + value + "," + time).getBytes(StandardCharsets.UTF_8))));
    }

    private static KafkaSource source(String topic, AtomicLong clock) {
        return KafkaSource.builder().bootstrapServers(kafka.bootstrapServers()).topics(topic)
                .decoder(RecordDecoders.csv(EVENTS))
                .watermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ZERO)
                        .withIdleness(Duration.ofNanos(IDLE_NANOS)))
                .nanoClock(clock::get).build();
    }

    /** Reads until the reader returned {@code count} more records. */
    private static void readRecords(SourceReader reader, int count) throws Exception {
        List<Long> values = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (values.size() < count) {
            KafkaSourceTest.read(reader, values);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("read " + values.size() + " of " + count + " records in 60 s");
            }
        }
    }

    @Test
    void thePartitionFarthestBehindHoldsTheWatermarkUntilItIsIdle() throws Exception {
        kafka.createTopic("lagging", 2);
        send("lagging", 0, 1, 1, 1_000);
        send("lagging", 0, 1, 2, 3_000);
        send("lagging", 1, 2, 3, 100);
        AtomicLong clock = new AtomicLong();
        try (BufferAllocator allocator = new RootAllocator();
             SourceReader reader = source("lagging", clock).createReader(KafkaSourceTest.context(allocator, 0, 1,
                     100))) {
            assertEquals(SourceReader.NO_WATERMARK, reader.watermark(), "no partition has returned a record yet");
            readRecords(reader, 3);
            assertEquals(99, reader.watermark(), "partition 1, at 100, holds partition 0 (at 3000) back");

            clock.addAndGet(IDLE_NANOS);
            send("lagging", 0, 1, 4, 4_000);
            readRecords(reader, 1);
            assertEquals(3_999, reader.watermark(), "partition 1 is idle: partition 0 alone sets it");

            clock.addAndGet(IDLE_NANOS);
            reader.next();
            assertEquals(SourceReader.IDLE, reader.watermark(), "both partitions are idle");

            send("lagging", 1, 2, 5, 5_000);
            readRecords(reader, 1);
            assertEquals(4_999, reader.watermark(), "partition 1 is active again, partition 0 still idle");
        }
    }

    @Test
    void windowsFireOnceAQuietPartitionTurnsIdle() throws Exception {
        kafka.createTopic("quiet", 2);
        send("quiet", 0, 1, 10, 100);
        send("quiet", 0, 1, 20, 200);
        send("quiet", 0, 1, 30, 1_500);
        AtomicLong clock = new AtomicLong();
        Environment env = Environment.streaming().setParallelism(1);
        List<Tuple> sums = Collections.synchronizedList(new ArrayList<>());
        // Seen as they are emitted: collect() would show them only when the job ends.
        env.fromSource(source("quiet", clock)).keyBy("key").window(Windows.tumbling(Duration.ofSeconds(1)))
                .sum("value").forEachBatch(batch -> {
                    for (int r = 0; r < batch.rowCount(); r++) {
                        sums.add(Tuple.of(batch.value(r, 0), batch.value(r, 1), batch.value(r, 2), batch.value(r, 3)));
                    }
                });
        JobHandle job = env.executeAsync("quiet");
        try {
            awaitSourceRecords(job, 3);
            // Partition 1 has no records and is not idle yet: it holds event time back, nothing fires.
            assertEquals(List.of(), List.copyOf(sums));
            clock.addAndGet(IDLE_NANOS);
            send("quiet", 0, 1, 40, 2_500);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sums.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // The watermark is 2499: the windows ending at 1000 and 2000 fire, the one ending at 3000 does not.
            assertEquals(List.of(Tuple.of(1L, Instant.ofEpochMilli(0), Instant.ofEpochMilli(1_000), 30L),
                    Tuple.of(1L, Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(2_000), 30L)), List.copyOf(sums));
        } finally {
            job.cancel();
        }
    }

    private static void awaitSourceRecords(JobHandle job, long records) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (OperatorStats s : job.metrics()) {
                if (s.source() && s.recordsOut() >= records) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the source did not read " + records + " records in 60 s");
    }
}
