package io.riffle.connector.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.SourceSideOutput;
import io.riffle.engine.connector.TaskContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Reads Kafka topics into Arrow batches: the partitions are spread over the source's subtasks, each reads its own
 * with one consumer (assigned, never subscribed: the checkpoints, not a consumer group, say where the job is) and
 * decodes each poll with a {@link RecordDecoder}. Reads only committed records ({@code read_committed}). The next
 * offset of every partition goes into each checkpoint, so a restored job reads every record exactly once; with a
 * {@code groupId} the offsets of each complete checkpoint are also committed to that group, for monitoring tools.
 * With {@link Builder#watermarks} it makes event-time watermarks per partition, as Flink's Kafka source does.
 *
 * <pre>{@code
 * DataStream orders = env.fromSource(KafkaSource.builder()
 *         .bootstrapServers("localhost:9092")
 *         .topics("orders")
 *         .decoder(RecordDecoders.json(ORDER))
 *         .watermarks(WatermarkStrategy.boundedOutOfOrderness("time", Duration.ofSeconds(5))
 *                 .withIdleness(Duration.ofMinutes(1)))
 *         .build());
 * }</pre>
 */
public final class KafkaSource implements Source {
    /** The schema of the records a source sets aside when asked to ({@link Builder#badRecordsTo}). */
    public static final BatchSchema BAD_RECORDS = BatchSchema.of(Column.of("topic", ColumnType.UTF8),
            Column.of("partition", ColumnType.INT32), Column.of("offset", ColumnType.INT64),
            Column.of("error", ColumnType.UTF8));

    private final String bootstrapServers;
    private final List<String> topics;
    private final @Nullable Pattern topicPattern;
    private final @Nullable String groupId;
    private final StartingOffsets startingOffsets;
    private final boolean bounded;
    private final RecordDecoder decoder;
    private final @Nullable WatermarkStrategy watermarks;
    private final @Nullable String badRecordsOutput;
    private final Duration connectTimeout;
    private final Map<String, String> properties;
    private final LongSupplier nanoClock;
    private final String name;
    private final AdminCalls calls;

    private KafkaSource(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topics = List.copyOf(b.topics);
        this.topicPattern = b.topicPattern;
        this.groupId = b.groupId;
        this.startingOffsets = b.startingOffsets;
        this.bounded = b.bounded;
        this.decoder = b.decoder;
        this.watermarks = b.watermarks;
        this.badRecordsOutput = b.badRecordsOutput;
        this.connectTimeout = b.connectTimeout;
        this.properties = Map.copyOf(b.properties);
        this.nanoClock = b.nanoClock;
        this.name = "kafka(" + (topicPattern != null ? "/" + topicPattern.pattern() + "/" : String.join(",", topics))
                + ")";
        this.calls = new AdminCalls("kafka source '" + name + "'", bootstrapServers, properties, connectTimeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The settings of a {@link KafkaSource}; servers, topics (or a pattern) and a decoder are required. */
    public static final class Builder {
        private String bootstrapServers;
        private final List<String> topics = new ArrayList<>();
        private Pattern topicPattern;
        private String groupId;
        private StartingOffsets startingOffsets = StartingOffsets.earliest();
        private boolean bounded;
        private RecordDecoder decoder;
        private WatermarkStrategy watermarks;
        private String badRecordsOutput;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private final Map<String, String> properties = new LinkedHashMap<>();
        private LongSupplier nanoClock = System::nanoTime;

        private Builder() {
        }

        /** The brokers to connect to, {@code host:port[,host:port...]}. */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        /** The topics to read. */
        public Builder topics(String... topics) {
            this.topics.addAll(List.of(topics));
            return this;
        }

        /** Reads the topics whose whole name matches {@code pattern}, as they are when the job starts. */
        public Builder topicPattern(Pattern pattern) {
            this.topicPattern = pattern;
            return this;
        }

        /**
         * The consumer group the offsets of each complete checkpoint are committed to (for monitoring tools) and
         * {@link StartingOffsets#committed()} starts from. The job itself never joins the group.
         */
        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        /** Where a job that restores no checkpoint starts; {@link StartingOffsets#earliest()} unless set. */
        public Builder startingOffsets(StartingOffsets offsets) {
            this.startingOffsets = Objects.requireNonNull(offsets, "offsets");
            return this;
        }

        /** Stops at the end of each partition as it is when the job starts: the job ends once all is read. */
        public Builder bounded() {
            this.bounded = true;
            return this;
        }

        public Builder decoder(RecordDecoder decoder) {
            this.decoder = decoder;
            return this;
        }

        /**
         * Event time from {@code strategy}'s field (of the decoder's schema), with watermarks made per partition:
         * see {@link PartitionWatermarks}. Only watermarks after each batch (the default emission) are supported.
         */
        public Builder watermarks(WatermarkStrategy strategy) {
            this.watermarks = strategy;
            return this;
        }

        /**
         * Records that cannot be decoded go to the side output {@code name} ({@link #BAD_RECORDS}: topic,
         * partition, offset and why), read with {@code stream.getSideOutput(new OutputTag(name))}, instead of
         * failing the job.
         */
        public Builder badRecordsTo(String name) {
            this.badRecordsOutput = name;
            return this;
        }

        /** How long to wait for brokers that do not answer before failing (30 s by default). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Any Kafka consumer property, e.g. {@code fetch.min.bytes}; the source's own settings win. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** The clock of the idle timeouts; tests set one they move themselves. */
        Builder nanoClock(LongSupplier clock) {
            this.nanoClock = clock;
            return this;
        }

        public KafkaSource build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("a kafka source needs bootstrap servers");
            }
            if (topics.isEmpty() == (topicPattern == null)) {
                throw new IllegalArgumentException("a kafka source needs topics or a topic pattern, not both");
            }
            if (decoder == null) {
                throw new IllegalArgumentException("a kafka source needs a decoder (RecordDecoders)");
            }
            if (startingOffsets.kind() == StartingOffsets.Kind.COMMITTED && groupId == null) {
                throw new IllegalArgumentException("a kafka source starting from committed offsets needs a groupId");
            }
            if (watermarks != null && !watermarks.emitsPerBatch()) {
                throw new IllegalArgumentException("a kafka source makes its watermarks after each batch, per"
                        + " partition: " + watermarks + " is not supported (use assignTimestampsAndWatermarks"
                        + " downstream for per-record or punctuated watermarks)");
            }
            return new KafkaSource(this);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BatchSchema schema() {
        return decoder.schema();
    }

    @Override
    public @Nullable String eventTimeField() {
        return watermarks == null ? null : watermarks.field();
    }

    @Override
    public List<SourceSideOutput> sideOutputs() {
        return badRecordsOutput == null ? List.of() : List.of(new SourceSideOutput(badRecordsOutput, BAD_RECORDS));
    }

    @Override
    public boolean isRewindable() {
        return true;
    }

    @Override
    public SourceReader createReader(TaskContext context) throws Exception {
        List<TopicPartition> all = partitions();
        List<TopicPartition> mine = new ArrayList<>();
        for (int i = context.subtask(); i < all.size(); i += context.parallelism()) {
            mine.add(all.get(i));
        }
        KafkaConsumer<byte[], byte[]> consumer = consumer(context);
        try {
            List<SourcePositions.Partition> start = startOffsets(consumer, mine);
            return new KafkaSourceReader(this, consumer, start, context);
        } catch (RuntimeException | Error e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    @Override
    public SourceReader restoreReader(TaskContext context, List<byte[]> positions) {
        List<SourcePositions.Partition> restored = SourcePositions.decode(positions, name);
        KafkaConsumer<byte[], byte[]> consumer = consumer(context);
        try {
            return new KafkaSourceReader(this, consumer, restored, context);
        } catch (RuntimeException | Error e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
    }

    /** Commits the checkpoint's offsets to the group, for monitoring tools. */
    @Override
    public void checkpointComplete(long checkpointId, List<byte[]> positions) throws Exception {
        if (groupId == null) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (SourcePositions.Partition p : SourcePositions.decode(positions, name)) {
            offsets.put(p.partition(), new OffsetAndMetadata(p.next(), "riffle checkpoint " + checkpointId));
        }
        try (Admin admin = admin()) {
            calls.await(admin.alterConsumerGroupOffsets(groupId, offsets).all(),
                    "commit offsets to group '" + groupId + "'");
        }
    }

    RecordDecoder decoder() {
        return decoder;
    }

    boolean bounded() {
        return bounded;
    }

    @Nullable WatermarkStrategy watermarks() {
        return watermarks;
    }

    boolean setsBadRecordsAside() {
        return badRecordsOutput != null;
    }

    LongSupplier nanoClock() {
        return nanoClock;
    }

    /** Every partition of the source's topics, sorted by topic then partition: the same list in every subtask. */
    private List<TopicPartition> partitions() throws Exception {
        try (Admin admin = admin()) {
            Collection<String> names = topics;
            if (topicPattern != null) {
                names = new ArrayList<>();
                for (String topic : calls.await(admin.listTopics().names(), "list the topics")) {
                    if (topicPattern.matcher(topic).matches()) {
                        names.add(topic);
                    }
                }
                if (names.isEmpty()) {
                    throw new IllegalArgumentException("kafka source '" + name + "': no topic on " + bootstrapServers
                            + " matches " + topicPattern.pattern());
                }
            }
            Map<String, TopicDescription> described;
            try {
                described = admin.describeTopics(names).allTopicNames().get(connectTimeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    throw new IllegalArgumentException("kafka source '" + name + "': a topic of " + names
                            + " does not exist on " + bootstrapServers, e.getCause());
                }
                throw calls.unreachable("describe the topics", e.getCause());
            } catch (TimeoutException e) {
                throw calls.unreachable("describe the topics", e);
            }
            List<TopicPartition> all = new ArrayList<>();
            for (TopicDescription d : described.values()) {
                for (TopicPartitionInfo p : d.partitions()) {
                    all.add(new TopicPartition(d.name(), p.partition()));
                }
            }
            all.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
            return all;
        }
    }

    /** Where each partition starts, and (bounded) where it stops. */
    private List<SourcePositions.Partition> startOffsets(KafkaConsumer<byte[], byte[]> consumer,
                                                         List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return List.of();
        }
        Duration timeout = connectTimeout;
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        Map<TopicPartition, Long> starts = new HashMap<>();
        switch (startingOffsets.kind()) {
            case EARLIEST -> starts.putAll(beginnings);
            case LATEST -> starts.putAll(ends);
            case COMMITTED -> {
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions), timeout);
                for (TopicPartition p : partitions) {
                    OffsetAndMetadata c = committed.get(p);
                    starts.put(p, c != null ? c.offset() : beginnings.get(p));
                }
            }
            case TIMESTAMP -> {
                Map<TopicPartition, Long> query = new HashMap<>();
                for (TopicPartition p : partitions) {
                    query.put(p, startingOffsets.timestampMillis());
                }
                var found = consumer.offsetsForTimes(query, timeout);
                for (TopicPartition p : partitions) {
                    var at = found.get(p);
                    starts.put(p, at != null ? at.offset() : ends.get(p));
                }
            }
        }
        List<SourcePositions.Partition> start = new ArrayList<>();
        for (TopicPartition p : partitions) {
            long end = bounded ? ends.get(p) : SourcePositions.UNBOUNDED;
            start.add(new SourcePositions.Partition(p, starts.get(p), end));
        }
        return start;
    }

    private KafkaConsumer<byte[], byte[]> consumer(TaskContext context) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, context.batchSize());
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) connectTimeout.toMillis());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "riffle-" + name + "-" + context.subtask());
        if (groupId != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private Admin admin() {
        return calls.create();
    }
}
