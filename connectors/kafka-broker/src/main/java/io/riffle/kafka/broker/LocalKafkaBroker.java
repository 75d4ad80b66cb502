package io.riffle.kafka.broker;

import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One Apache Kafka 4.x node in this JVM, broker and KRaft controller combined, formatted and started with
 * Kafka's own test kit: a real broker with real transactions, not a mock. Internal topics have one replica,
 * so transactions and consumer groups work on the single node.
 *
 * <pre>{@code
 * try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
 *     kafka.createTopic("in", 4);
 *     ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final Admin admin;

    private LocalKafkaBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
        this.admin = cluster.admin();
    }

    /** A broker whose data lives in a fresh temporary directory, deleted on close. */
    public static LocalKafkaBroker start() throws Exception {
        return start(null, Map.of());
    }

    /**
     * A broker with its data under {@code baseDirectory} (null: a temporary directory, deleted on close) and
     * {@code config} on top of the single-node defaults, e.g. {@code transaction.max.timeout.ms}.
     */
    public static LocalKafkaBroker start(Path baseDirectory, Map<String, String> config) throws Exception {
        TestKitNodes.Builder nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1);
        if (baseDirectory != null) {
            nodes.setBaseDirectory(baseDirectory);
        }
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build())
                .setDeleteOnClose(baseDirectory == null);
        for (Map.Entry<String, String> e : SingleNode.CONFIG.entrySet()) {
            builder.setConfigProp(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : config.entrySet()) {
            builder.setConfigProp(e.getKey(), e.getValue());
        }
        KafkaClusterTestKit cluster = builder.build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new LocalKafkaBroker(cluster);
        } catch (Exception | Error e) {
            try {
                cluster.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** The {@code host:port} list clients connect to. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** An admin client of this broker, owned by the broker (closed with it): do not close it. */
    public Admin admin() {
        return admin;
    }

    /** Creates {@code topic} with {@code partitions} partitions and waits until it exists. */
    public void createTopic(String topic, int partitions) throws Exception {
        Topics.create(admin, topic, partitions);
    }

    /** Stops the broker and deletes its data unless it was given a directory; a failure to stop is unchecked. */
    @Override
    public void close() {
        try {
            admin.close();
        } finally {
            try {
                cluster.close();
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the local Kafka broker did not stop cleanly: " + e, e);
            }
        }
    }
}
