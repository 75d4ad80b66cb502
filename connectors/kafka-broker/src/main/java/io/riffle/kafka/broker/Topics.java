package io.riffle.kafka.broker;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/** Topic creation for tests and demos: one replica, and wait until the broker has it. */
final class Topics {
    private Topics() {
    }

    static void create(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS);
    }
}
