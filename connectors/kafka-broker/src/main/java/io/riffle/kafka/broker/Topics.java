package io.riffle.kafka.broker;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Topic creation for tests and demos: one replica, and wait until the broker has it. */
final class Topics {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private Topics() {
    }

    static void create(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        // The controller has the topic once createTopics completes; the broker learns of it from the metadata
        // log a moment later, and until then describing it fails with "unknown topic": ask again.
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            try {
                admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }
}
