package io.riffle.bench.kafka;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One K1 job for a {@link KafkaContender}: read {@code inputTopic} from the beginning, keep a running sum of the
 * amount per key, and write one {@link KeyedAmount} record (key, running sum) per input record to
 * {@code outputTopic}, exactly-once, committing (a transaction, a checkpoint) every {@code commitInterval}.
 *
 * @param bootstrapServers the broker's {@code host:port} list
 * @param inputTopic       the filled input topic, keyed by the 8 key bytes
 * @param outputTopic      this run's own, empty output topic
 * @param groupId          a consumer group (or application id, transactional id prefix) no earlier run used
 * @param parallelism      the number of tasks / threads / subtasks, the same for every contender
 * @param commitInterval   how often the job commits its transaction or checkpoint
 * @param scratch          an empty directory the job may keep state in, deleted after the run
 */
public record KafkaJob(String bootstrapServers, String inputTopic, String outputTopic, String groupId,
        int parallelism, Duration commitInterval, Path scratch) {
}
