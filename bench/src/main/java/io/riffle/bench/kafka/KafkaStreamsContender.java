package io.riffle.bench.kafka;

import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * K1 in Kafka Streams: {@code stream -> groupByKey -> aggregate(running sum) -> toStream -> to}, with
 * {@code exactly_once_v2}, {@code commit.interval.ms} = the commit interval, one stream thread per unit of
 * parallelism, and the record cache off so that every input record yields its own output record.
 */
public final class KafkaStreamsContender implements KafkaContender {
    @Override
    public String name() {
        return "kafka-streams";
    }

    @Override
    public RunningJob start(KafkaJob job) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(job.inputTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .groupByKey(Grouped.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .aggregate(() -> 0L, (key, value, sum) -> sum + KeyedAmount.amount(value),
                        Materialized.<byte[], Long, KeyValueStore<Bytes, byte[]>>as("running-sums")
                                .withKeySerde(Serdes.ByteArray())
                                .withValueSerde(Serdes.Long()))
                .toStream()
                .mapValues((key, sum) -> KeyedAmount.value(KeyedAmount.getLong(key, 0), sum))
                .to(job.outputTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, job.groupId());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, job.bootstrapServers());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, job.commitInterval().toMillis());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, job.parallelism());
        config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        config.put(StreamsConfig.STATE_DIR_CONFIG, job.scratch().toString());
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        KafkaStreams streams = new KafkaStreams(builder.build(), config);
        Running running = new Running(streams);
        streams.setUncaughtExceptionHandler(e -> {
            running.failure = e;
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        return running;
    }

    private static final class Running implements RunningJob {
        private final KafkaStreams streams;
        volatile Throwable failure;

        Running(KafkaStreams streams) {
            this.streams = streams;
        }

        @Override
        public void checkAlive() {
            Throwable f = failure;
            if (f != null) {
                throw new IllegalStateException("Kafka Streams failed: " + f.getMessage(), f);
            }
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException("Kafka Streams stopped by itself (state " + streams.state() + ")");
            }
        }

        @Override
        public void close() {
            streams.close();
            streams.cleanUp();
        }
    }
}
