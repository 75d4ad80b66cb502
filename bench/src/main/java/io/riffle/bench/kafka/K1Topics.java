package io.riffle.bench.kafka;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.SplittableRandom;

import io.riffle.kafka.broker.CommittedRecords;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * K1's data: an input topic of records (key: the 8 key bytes; value: int64 key, int64 amount, little-endian), the
 * per-key totals it sums to, and the check of an output topic of (key, running sum) records against them.
 */
final class K1Topics {
    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private K1Topics() {
    }

    /** Writes {@code records} seeded records over {@code keys} keys; returns each key's total. */
    static long[] fill(String servers, String topic, long records, int keys, long seed) {
        long[] totals = new long[keys];
        SplittableRandom random = new SplittableRandom(seed);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers, ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024, ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (long i = 0; i < records; i++) {
                long key = random.nextInt(keys);
                long amount = random.nextInt(1000);
                totals[(int) key] += amount;
                byte[] k = new byte[8];
                LONG.set(k, 0, key);
                byte[] v = new byte[16];
                LONG.set(v, 0, key);
                LONG.set(v, 8, amount);
                producer.send(new ProducerRecord<>(topic, k, v));
            }
        }
        return totals;
    }

    /**
     * Reads {@code topic} with read_committed and returns null when it holds one (key, running sum) record per input
     * record and every key's highest sum is its total; otherwise what differs.
     */
    static String check(String servers, String topic, long records, long[] totals) {
        long[] last = new long[totals.length];
        long[] count = new long[1];
        CommittedRecords.forEach(servers, topic, r -> {
            int key = (int) (long) LONG.get(r.value(), 0);
            last[key] = Math.max(last[key], (long) LONG.get(r.value(), 8));
            count[0]++;
        });
        if (count[0] != records) {
            return count[0] + " results for " + records + " records";
        }
        for (int k = 0; k < totals.length; k++) {
            if (last[k] != totals[k]) {
                return "key " + k + ": last sum " + last[k] + ", total " + totals[k];
            }
        }
        return null;
    }
}
