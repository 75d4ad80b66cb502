package io.riffle.kafka.broker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.RetriableException;

/** Topic creation for tests and demos: one replica, and wait until the broker serves every partition. */
final class Topics {
    private Topics() {
    }

    /**
     * Creates {@code topic} and returns once each partition's leader answers for it. The broker learns of a new topic
     * a moment after the controller made it; a producer that writes before then can be refused, and an idempotent
     * one then stays stuck resending with "out of order sequence number" until its delivery timeout, losing the
     * records (seen under heavy load).
     */
    static void create(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS)
                        .get(topic);
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                boolean led = d.partitions().size() == partitions;
                for (TopicPartitionInfo p : d.partitions()) {
                    led &= p.leader() != null;
                    ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                }
                if (led) {
                    admin.listOffsets(ends).all().get(60, TimeUnit.SECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topic '" + topic + "' has partitions without a leader after 60 s");
            }
            Thread.sleep(10);
        }
    }
}
