package io.riffle.connector.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.engine.connector.SinkWriter;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a stream to a Kafka topic, a record per row, keys and values made by a {@link RecordEncoder}, with the
 * {@link DeliveryGuarantee} asked for. Exactly-once is two-phase commit on Riffle's checkpoints: each sink subtask
 * writes into a Kafka transaction, which the checkpoint barrier closes (flushed, its producer id and epoch stored in
 * the checkpoint) and the completed checkpoint commits; the next records go into a new transaction on another
 * producer of the subtask's small pool, so writing never waits for a commit. After a crash, recovery commits the
 * transactions the restored checkpoint names, taking them over by transactional id if their producer died with
 * the process, and aborts every other open transaction of the sink's prefix.
 *
 * <pre>{@code
 * counts.addSink(KafkaSink.builder()
 *         .bootstrapServers("localhost:9092")
 *         .topic("counts")
 *         .encoder(RecordEncoders.csv().withKey("word"))
 *         .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
 *         .transactionalIdPrefix("wordcount")
 *         .build());
 * }</pre>
 */
public final class KafkaSink implements TwoPhaseCommitSink {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);
    /** The broker setting that bounds a transaction's timeout. */
    private static final String MAX_TIMEOUT_SETTING = "transaction.max.timeout.ms";

    private final String bootstrapServers;
    private final String topic;
    private final RecordEncoder encoder;
    private final DeliveryGuarantee guarantee;
    private final String transactionalIdPrefix;
    private final Duration transactionTimeout;
    private final Duration connectTimeout;
    private final Map<String, String> properties;
    /** The transactions writers closed at a barrier, by transactional id, until their checkpoint commits them. */
    private final Map<String, PreparedTransaction> prepared = new ConcurrentHashMap<>();
    /** Transactions of complete checkpoints whose commit failed: tried again at the next commit. */
    private final List<SinkCommittable> commitsDue = new ArrayList<>();
    private final AdminCalls calls;
    /** The sink's admin client, made on first use, closed when the job ends. */
    private Admin admin;

    /** A transaction closed at a barrier: what the checkpoint stores, the producer holding it, its writer. */
    record PreparedTransaction(SinkCommittable committable, KafkaSinkWriter.Pooled pooled, KafkaSinkWriter writer) {
        KafkaProducer<byte[], byte[]> producer() {
            return pooled.producer();
        }
    }

    private KafkaSink(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.encoder = b.encoder;
        this.guarantee = b.guarantee;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
        this.transactionTimeout = b.transactionTimeout;
        this.connectTimeout = b.connectTimeout;
        this.properties = Map.copyOf(b.properties);
        this.calls = new AdminCalls("kafka sink '" + topic + "'", bootstrapServers, properties, connectTimeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The settings of a {@link KafkaSink}; servers, topic and encoder are required. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic;
        private RecordEncoder encoder;
        private DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;
        private String transactionalIdPrefix;
        private Duration transactionTimeout = Duration.ofMinutes(15);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /** The brokers to connect to, {@code host:port[,host:port...]}. */
        public Builder bootstrapServers(String servers) {
            this.bootstrapServers = servers;
            return this;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder encoder(RecordEncoder encoder) {
            this.encoder = encoder;
            return this;
        }

        /** {@link DeliveryGuarantee#AT_LEAST_ONCE} unless set. */
        public Builder deliveryGuarantee(DeliveryGuarantee guarantee) {
            this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
            return this;
        }

        /**
         * The start of the transactional ids of the sink's producers ({@code prefix-subtask-n}); required for
         * exactly-once, and unique to the job: recovery aborts every open transaction with this prefix.
         */
        public Builder transactionalIdPrefix(String prefix) {
            this.transactionalIdPrefix = prefix;
            return this;
        }

        /**
         * How long the broker lets a transaction stay open before it aborts it (15 minutes by default, the broker's
         * default {@code transaction.max.timeout.ms}). It must be longer than the checkpoint interval (checked when
         * the job starts) and should cover a recovery: a transaction the broker aborted before its checkpoint
         * committed it is output lost, and recovery then fails saying so.
         */
        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long to wait for brokers that do not answer before failing (30 s by default). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Any Kafka producer property, e.g. {@code linger.ms}; the guarantee's own settings win. */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        public KafkaSink build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("a kafka sink needs bootstrap servers");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("a kafka sink needs a topic");
            }
            if (encoder == null) {
                throw new IllegalArgumentException("kafka sink '" + topic + "' needs an encoder (RecordEncoders)");
            }
            if (guarantee == DeliveryGuarantee.EXACTLY_ONCE
                    && (transactionalIdPrefix == null || transactionalIdPrefix.isBlank())) {
                throw new IllegalArgumentException("kafka sink '" + topic + "': exactly-once needs a transactional"
                        + " id prefix unique to the job (transactionalIdPrefix)");
            }
            if (transactionTimeout.isNegative() || transactionTimeout.isZero()) {
                throw new IllegalArgumentException("kafka sink '" + topic + "': the transaction timeout must be"
                        + " positive, not " + transactionTimeout);
            }
            return new KafkaSink(this);
        }
    }

    @Override
    public String name() {
        return "kafka(" + topic + ")";
    }

    @Override
    public void checkSchema(BatchSchema schema) {
        encoder.open(schema);
    }

    @Override
    public void checkCheckpointInterval(Duration interval) {
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE && transactionTimeout.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("kafka sink '" + topic + "': its transaction timeout ("
                    + transactionTimeout.toMillis() + " ms) is not longer than the checkpoint interval ("
                    + interval.toMillis() + " ms), so the broker would abort each transaction before its"
                    + " checkpoint commits it: raise transactionTimeout (at most the broker's"
                    + " transaction.max.timeout.ms) or checkpoint more often");
        }
    }

    @Override
    public SinkWriter createWriter(BatchSchema schema, TaskContext context) throws Exception {
        RowEncoder rows = encoder.open(schema);
        checkTopic();
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            checkTransactionTimeout();
        }
        return new KafkaSinkWriter(this, rows, context);
    }

    /** Fails, saying what to change, when the brokers allow transactions shorter than this sink's timeout. */
    private void checkTransactionTimeout() throws Exception {
        Collection<Node> nodes = calls.await(admin().describeCluster().nodes(), "describe the cluster");
        List<ConfigResource> brokers = new ArrayList<>();
        for (Node node : nodes) {
            brokers.add(new ConfigResource(ConfigResource.Type.BROKER, node.idString()));
        }
        Map<ConfigResource, Config> configs = calls.await(admin().describeConfigs(brokers).all(),
                "describe the brokers");
        for (Config config : configs.values()) {
            ConfigEntry most = config.get(MAX_TIMEOUT_SETTING);
            if (most != null && most.value() != null && Long.parseLong(most.value()) < transactionTimeout.toMillis()) {
                throw new IllegalArgumentException("kafka sink '" + topic + "': its transaction timeout of "
                        + transactionTimeout.toMillis() + " ms is longer than the brokers allow ("
                        + MAX_TIMEOUT_SETTING + " = " + most.value() + " ms): lower"
                        + " transactionTimeout or raise that broker setting");
            }
        }
    }

    DeliveryGuarantee guarantee() {
        return guarantee;
    }

    String topic() {
        return topic;
    }

    /** The transactional id of producer {@code n} of subtask {@code subtask}. */
    String transactionalId(int subtask, int n) {
        return transactionalIdPrefix + "-" + subtask + "-" + n;
    }

    /** A producer with the guarantee's settings; transactional when {@code transactionalId} is not null. */
    KafkaProducer<byte[], byte[]> producer(String transactionalId) {
        Map<String, Object> config = new HashMap<>(properties);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) connectTimeout.toMillis());
        switch (guarantee) {
            case NONE -> config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "1");
            case AT_LEAST_ONCE -> {
                config.put(ProducerConfig.ACKS_CONFIG, "all");
                config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            }
            case EXACTLY_ONCE -> {
                config.put(ProducerConfig.ACKS_CONFIG, "all");
                config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
                config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) transactionTimeout.toMillis());
            }
        }
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * A transactional producer of {@code transactionalId}, registered with the broker: any transaction an earlier
     * producer of the id left open is aborted.
     */
    KafkaProducer<byte[], byte[]> initTransactions(String transactionalId) {
        KafkaProducer<byte[], byte[]> producer = producer(transactionalId);
        try {
            producer.initTransactions();
            return producer;
        } catch (RuntimeException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
    }

    /** A writer closed transaction {@code t} at a barrier: it waits here for its checkpoint. */
    void prepared(PreparedTransaction t) {
        prepared.put(t.committable().transactionalId(), t);
    }

    /**
     * Commits the transactions {@code committables} name: with the producer that holds each when this process
     * opened it, else by taking it over. A transaction the broker already committed is passed over; one it
     * aborted is output lost, and fails the commit saying so.
     */
    @Override
    public synchronized void commit(List<byte[]> committables) throws Exception {
        Set<SinkCommittable> due = new LinkedHashSet<>(commitsDue);
        for (byte[] bytes : committables) {
            due.addAll(SinkCommittable.decode(bytes, transactionalIdPrefix + "-", name()));
        }
        commitsDue.clear();
        Exception failure = null;
        for (SinkCommittable c : due) {
            if (failure != null) {
                commitsDue.add(c);
                continue;
            }
            try {
                commitOne(c);
            } catch (Exception e) {
                commitsDue.add(c);
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void commitOne(SinkCommittable c) throws Exception {
        PreparedTransaction held = prepared.remove(c.transactionalId());
        if (held != null && held.committable().equals(c)) {
            try {
                held.producer().commitTransaction();
            } catch (RuntimeException e) {
                held.producer().close(Duration.ZERO);
                throw new IllegalStateException("transaction " + c.transactionalId() + " of checkpoint "
                        + c.checkpointId() + " could not be committed: " + e.getMessage(), e);
            }
            held.writer().committed(c, held.pooled());
            return;
        }
        if (held != null) {
            prepared.put(c.transactionalId(), held);
        }
        commitTakenOver(c);
    }

    /** Commits {@code c}'s transaction from a new producer, after asking the broker what became of it. */
    private void commitTakenOver(SinkCommittable c) throws Exception {
        String id = c.transactionalId();
        TransactionDescription d;
        try {
            d = calls.await(admin().describeTransactions(List.of(id)).description(id), "describe transaction " + id);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof TransactionalIdNotFoundException) {
                // Ids expire only after transactional.id.expiration.ms without a transaction open: it ended.
                LOG.warn("kafka sink '{}': the broker no longer knows transaction {} of checkpoint {}; it ended long"
                        + " ago", topic, id, c.checkpointId());
                return;
            }
            throw e;
        }
        TransactionState state = d.state();
        boolean same = d.producerId() == c.producerId();
        if (same && state == TransactionState.ONGOING && d.producerEpoch() == c.epoch()) {
            try (KafkaProducer<byte[], byte[]> producer = producer(id)) {
                KafkaTransactions.takeOver(producer, c.producerId(), c.epoch());
                producer.commitTransaction();
            }
            LOG.info("kafka sink '{}': committed transaction {} of checkpoint {} after taking it over", topic, id,
                    c.checkpointId());
            return;
        }
        // Ending a transaction raises the epoch by one, so an abort at the next epoch is this transaction's abort
        // (the broker's, when it timed out). A later state is a later transaction on the id, which the pool
        // reuses only after a commit.
        boolean aborted = state == TransactionState.PREPARE_ABORT || state == TransactionState.COMPLETE_ABORT;
        if (same && aborted && d.producerEpoch() == c.epoch() + 1) {
            throw new IllegalStateException("kafka sink '" + topic + "': transaction " + id + " of checkpoint "
                    + c.checkpointId() + " was aborted by the broker before it could be committed, so its output"
                    + " is lost (did it stay open longer than the transaction timeout of "
                    + transactionTimeout.toMillis() + " ms?)");
        }
    }

    /**
     * Drops the transactions no restored checkpoint covers: those this process still holds, and every open
     * transaction of this sink's prefix on the broker, left by a process that died.
     */
    @Override
    public synchronized void abortUncommitted() throws Exception {
        commitsDue.clear();
        abortHeld();
        if (guarantee != DeliveryGuarantee.EXACTLY_ONCE) {
            return;
        }
        ListTransactionsOptions ongoing = new ListTransactionsOptions().filterStates(List.of(TransactionState.ONGOING));
        for (TransactionListing t : calls.await(admin().listTransactions(ongoing).all(), "list open transactions")) {
            if (t.transactionalId().startsWith(transactionalIdPrefix + "-")) {
                // A producer that starts under an id fences the one before it: the broker aborts its transaction.
                initTransactions(t.transactionalId()).close(Duration.ZERO);
                LOG.info("kafka sink '{}': aborted open transaction {}, which no restored checkpoint covers", topic,
                        t.transactionalId());
            }
        }
    }

    @Override
    public synchronized void jobEnded() throws Exception {
        try {
            if (!commitsDue.isEmpty()) {
                LOG.error("kafka sink '{}': the job ended with the transactions of {} complete checkpoint(s) not"
                        + " committed ({}); restoring from the newest checkpoint commits them", topic,
                        commitsDue.size(), commitsDue);
                commitsDue.clear();
            }
            abortHeld();
        } finally {
            if (admin != null) {
                admin.close(Duration.ofSeconds(5));
                admin = null;
            }
        }
    }

    private void abortHeld() {
        for (String id : new ArrayList<>(prepared.keySet())) {
            PreparedTransaction t = prepared.remove(id);
            if (t != null) {
                try {
                    t.producer().abortTransaction();
                } catch (RuntimeException e) {
                    LOG.debug("kafka sink '{}': aborting {} failed, the broker aborts it: {}", topic, id, e.toString());
                }
                t.producer().close(Duration.ZERO);
            }
        }
    }

    /** Fails, naming the servers or the topic, when the brokers do not answer or do not have the topic. */
    private void checkTopic() throws Exception {
        try {
            admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalArgumentException("kafka sink: topic '" + topic + "' does not exist on "
                        + bootstrapServers, e.getCause());
            }
            throw calls.unreachable("describe topic '" + topic + "'", e.getCause());
        } catch (TimeoutException e) {
            throw calls.unreachable("describe topic '" + topic + "'", e);
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = calls.create();
        }
        return admin;
    }
}
