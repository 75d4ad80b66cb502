package io.riffle.bench.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * K1 on Kafka Streams: stream -> groupByKey -> aggregate (the running sum, in its default RocksDB store, no record
 * cache so every input record gives a result) -> to, with {@code exactly_once_v2}. Returns once every result has been
 * produced and {@code close()} committed the last transaction.
 */
final class StreamsK1 implements K1Contender {
    @Override
    public String name() {
        return "kafka-streams";
    }

    @Override
    public void run(String servers, String in, String out, int parallelism, Duration interval, long records,
                    Path scratch) throws Exception {
        AtomicLong produced = new AtomicLong();
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .groupByKey(Grouped.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .aggregate(() -> 0L, (key, value, sum) -> sum + (long) K1Topics.LONG.get(value, 8),
                        Materialized.with(Serdes.ByteArray(), Serdes.Long()))
                .toStream()
                .mapValues((key, sum) -> {
                    byte[] result = new byte[16];
                    K1Topics.LONG.set(result, 0, (long) K1Topics.LONG.get(key, 0));
                    K1Topics.LONG.set(result, 8, sum);
                    produced.incrementAndGet();
                    return result;
                })
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "k1-" + out);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) interval.toMillis());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, parallelism);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        props.put(StreamsConfig.STATE_DIR_CONFIG, scratch.resolve("streams-state").toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        props.put("auto.offset.reset", "earliest");
        try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
            streams.start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (produced.get() < records) {
                if (streams.state() == KafkaStreams.State.ERROR || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka Streams stopped at " + produced.get() + " of " + records
                            + " results, in state " + streams.state());
                }
                Thread.sleep(5);
            }
            streams.close(Duration.ofMinutes(5));
        }
    }
}
