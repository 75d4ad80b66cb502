package io.riffle.bench.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.HdrHistogram.Histogram;

/**
 * L1-Kafka's input: record {@code i} (key {@code i % keys}, amount 1) is due at {@code start + i / rate} and
 * sent then, on its own thread. Because every amount is 1, output (key, running sum) is input record
 * {@code (sum - 1) * keys + key}, so the verifier finds each output's due time without a map, and its
 * produce-to-visible latency is measured from when it was due (a backlog counts, as in bench's L1).
 */
final class PacedFeed implements Runnable {
    private final String bootstrapServers;
    private final String topic;
    private final int keys;
    private final long periodNanos;
    /** Written by the feed thread, read by the verifier's: an atomic array makes each write visible. */
    private final AtomicLongArray dueNanos;
    private final long warmupRecords;
    private final Histogram latencies = new Histogram(1, 60_000_000_000L, 3);
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    PacedFeed(String bootstrapServers, String topic, int keys, int recordsPerSecond, long records,
            long warmupRecords) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.keys = keys;
        this.periodNanos = 1_000_000_000L / recordsPerSecond;
        this.dueNanos = new AtomicLongArray(Math.toIntExact(records));
        this.warmupRecords = warmupRecords;
        latencies.setAutoResize(true);
    }

    /** Each key's total: the number of its records. */
    long[] totals() {
        long[] totals = new long[keys];
        for (int i = 0; i < dueNanos.length(); i++) {
            totals[i % keys]++;
        }
        return totals;
    }

    @Override
    public void run() {
        Callback recordFailure = (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        };
        Map<String, Object> config = new HashMap<>(InputTopic.producerConfig(bootstrapServers));
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < dueNanos.length(); i++) {
                long due = t0 + i * periodNanos;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                dueNanos.set(i, due);
                int key = i % keys;
                producer.send(new ProducerRecord<>(topic, KeyedAmount.recordKey(key), KeyedAmount.value(key, 1)),
                        recordFailure);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    /** The verifier's callback: the latency of the output record (key, runningSum). */
    void visible(long key, long runningSum, long visibleNanos) {
        long i = (runningSum - 1) * keys + key;
        if (i < 0 || i >= dueNanos.length()) {
            throw new IllegalStateException("output (key " + key + ", running sum " + runningSum + ") of " + topic
                    + " matches no input record: its sum is not a count of the key's records");
        }
        if (i >= warmupRecords) {
            latencies.recordValue(Math.max(1, visibleNanos - dueNanos.get((int) i)));
        }
    }

    /** Throws when a send failed. */
    void check() throws Exception {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("the paced feed of " + topic + " failed: " + e.getMessage(), e);
        }
    }

    /** The measured latencies, after the warm-up records. */
    Histogram latencies() {
        return latencies;
    }
}
