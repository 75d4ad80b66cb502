package io.riffle.baselines;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import io.riffle.bench.kafka.KafkaJob;
import io.riffle.bench.kafka.KeyedAmount;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * K1 in Flink 2.2 with flink-connector-kafka: {@code KafkaSource -> keyBy(key) -> running sum in keyed state ->
 * KafkaSink(EXACTLY_ONCE)}, checkpointing every commit interval to the job's scratch directory (hashmap state
 * backend), on a local mini cluster with no restarts (a failure fails the run). Runs in the child JVM that
 * {@link FlinkKafkaContender} starts, until that JVM is stopped:
 * {@code FlinkKafkaJob <bootstrap> <input> <output> <group> <parallelism> <interval-ms> <scratch>}.
 */
public final class FlinkKafkaJob {
    /** Below the broker's default transaction.max.timeout.ms (15 min); the connector's default is 1 h. */
    private static final String TRANSACTION_TIMEOUT_MS = "600000";

    private FlinkKafkaJob() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 7) {
            System.err.println("usage: FlinkKafkaJob <bootstrap> <input> <output> <group> <parallelism>"
                    + " <interval-ms> <scratch>");
            System.exit(2);
        }
        KafkaJob job = new KafkaJob(args[0], args[1], args[2], args[3], Integer.parseInt(args[4]),
                Duration.ofMillis(Long.parseLong(args[5])), Path.of(args[6]));
        exitWhenTheParentDoes();
        run(job);
    }

    /** The runner holds this JVM's stdin open: end-of-file means it has gone, so this job must go too. */
    private static void exitWhenTheParentDoes() {
        Thread watcher = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Nothing is sent; the read only waits for the end of the stream.
                }
            } catch (IOException e) {
                // A broken stdin means the parent has gone, as end-of-file does.
            }
            System.exit(3);
        }, "parent-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void run(KafkaJob job) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, job.scratch().toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(job.parallelism(), conf);
        env.enableCheckpointing(job.commitInterval().toMillis());
        KafkaSource<byte[]> source = KafkaSource.<byte[]>builder()
                .setBootstrapServers(job.bootstrapServers())
                .setTopics(job.inputTopic())
                .setGroupId(job.groupId())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(KafkaRecordDeserializationSchema.valueOnly(ByteArrayDeserializer.class))
                .build();
        KafkaSink<byte[]> sink = KafkaSink.<byte[]>builder()
                .setBootstrapServers(job.bootstrapServers())
                .setRecordSerializer(KafkaRecordSerializationSchema.<byte[]>builder()
                        .setTopic(job.outputTopic())
                        .setKeySerializationSchema(new KeyBytes())
                        .setValueSerializationSchema(new ValueBytes())
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(job.groupId())
                .setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS)
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), job.inputTopic())
                .keyBy(KeyedAmount::key, Types.LONG)
                .process(new RunningSum())
                .sinkTo(sink);
        env.execute("k1-" + job.groupId());
    }

    /** The record key: the value's first 8 bytes, the key, as every K1 writer keys its records. */
    private static final class KeyBytes implements SerializationSchema<byte[]> {
        @Override
        public byte[] serialize(byte[] value) {
            return Arrays.copyOf(value, KeyedAmount.KEY_BYTES);
        }
    }

    /** The value as it is. */
    private static final class ValueBytes implements SerializationSchema<byte[]> {
        @Override
        public byte[] serialize(byte[] value) {
            return value;
        }
    }

    /** Emits (key, running sum) for every input record. */
    private static final class RunningSum extends KeyedProcessFunction<Long, byte[], byte[]> {
        private transient ValueState<Long> sum;

        @Override
        public void open(OpenContext context) {
            sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
        }

        @Override
        public void processElement(byte[] value, Context context, Collector<byte[]> out) throws Exception {
            Long before = sum.value();
            long after = (before == null ? 0 : before) + KeyedAmount.amount(value);
            sum.update(after);
            out.collect(KeyedAmount.value(KeyedAmount.key(value), after));
        }
    }
}
