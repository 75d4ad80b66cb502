package io.riffle.connector.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.riffle.kafka.broker.CommittedRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.riffle.kafka.broker.TransactionMarkers;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;

/** What tests read back from a real broker: a topic's committed values, and the transactions left open. */
final class KafkaTopics {
    private KafkaTopics() {
    }

    /** Every value of {@code topic} a read_committed consumer sees, as UTF-8, partition by partition. */
    static List<String> committedValues(String bootstrapServers, String topic) {
        List<String> values = new ArrayList<>();
        CommittedRecords.forEach(bootstrapServers, topic,
                r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
        return values;
    }

    /**
     * For each key of "key,running sum" values: how many results it has and its highest (last) sum. Subtasks in
     * parallel interleave a key's records in any order, so the sums in between differ from run to run; these do not.
     */
    static Map<Long, List<Long>> countAndLastSumByKey(List<String> values) {
        Map<Long, List<Long>> byKey = new TreeMap<>();
        for (String v : values) {
            String[] parts = v.split(",");
            byKey.merge(Long.parseLong(parts[0]), List.of(1L, Long.parseLong(parts[1])),
                    (a, b) -> List.of(a.get(0) + b.get(0), Math.max(a.get(1), b.get(1))));
        }
        return byKey;
    }

    /**
     * Writes {@code records} with one producer and checks that the broker took every one: a test whose input was
     * not all written fails here, not later as a wrong result.
     */
    static void sendAll(String servers, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(producer.send(r));
            }
        }
        for (Future<RecordMetadata> f : sent) {
            f.get(60, TimeUnit.SECONDS);
        }
    }

    /** Waits until the transactions of {@code prefix} that ended have their markers written. */
    static void awaitMarkers(Admin admin, String prefix) throws Exception {
        TransactionMarkers.await(admin, prefix, Duration.ofSeconds(60));
    }

    /** The ids of the open transactions whose id starts with {@code prefix}. */
    static List<String> openTransactions(Admin admin, String prefix) throws Exception {
        Collection<TransactionListing> open = admin.listTransactions(new ListTransactionsOptions()
                .filterStates(List.of(TransactionState.ONGOING))).all().get(30, TimeUnit.SECONDS);
        List<String> ids = new ArrayList<>();
        for (TransactionListing t : open) {
            if (t.transactionalId().startsWith(prefix)) {
                ids.add(t.transactionalId());
            }
        }
        return ids;
    }
}
