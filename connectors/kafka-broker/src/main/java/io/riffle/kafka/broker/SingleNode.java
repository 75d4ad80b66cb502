package io.riffle.kafka.broker;

import java.util.Map;

/** The settings that let one node be a whole cluster: internal topics with one replica, no start-up delays. */
final class SingleNode {
    static final Map<String, String> CONFIG = Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "4",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "4",
            "group.initial.rebalance.delay.ms", "0",
            "auto.create.topics.enable", "false",
            "num.partitions", "1");

    private SingleNode() {
    }
}
