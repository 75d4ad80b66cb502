package io.riffle.bench.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import io.riffle.kafka.broker.ChildKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * K1, Kafka topic to topic exactly once, side by side: one input topic on a local Kafka broker (a child JVM), each
 * contender in turn (rounds alternate the order) reading all of it and writing the keyed running sums to a fresh
 * output topic, every output checked against the input's totals; prints and writes the median records/s of each.
 */
@Command(name = "riffle-bench-kafka", mixinStandardHelpOptions = true,
        description = "K1: the keyed running sum from topic to topic, exactly once, on Riffle, a raw Kafka client"
                + " loop and Kafka Streams.")
public final class KafkaBench implements Callable<Integer> {
    @Option(names = "--records", description = "input records (default: ${DEFAULT-VALUE})")
    long records = 2_000_000;

    @Option(names = "--keys", description = "distinct keys (default: ${DEFAULT-VALUE})")
    int keys = 10_000;

    @Option(names = "--partitions", description = "input and output partitions (default: ${DEFAULT-VALUE})")
    int partitions = 4;

    @Option(names = "--parallelism", description = "tasks per contender (default: ${DEFAULT-VALUE})")
    int parallelism = 2;

    @Option(names = "--interval-ms", description = "commit (checkpoint) interval (default: ${DEFAULT-VALUE})")
    long intervalMs = 1000;

    @Option(names = "--rounds", description = "runs of each contender, order alternating (default: ${DEFAULT-VALUE})")
    int rounds = 3;

    @Option(names = "--contenders", split = ",", description = "riffle, raw-loop, kafka-streams (default: all)")
    List<String> names = List.of("riffle", "raw-loop", "kafka-streams");

    @Option(names = "--out", description = "directory for results.md (default: none)")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, K1Contender> all = new LinkedHashMap<>();
        for (K1Contender c : List.of(new RiffleK1(), new RawLoopK1(), new StreamsK1())) {
            all.put(c.name(), c);
        }
        List<K1Contender> contenders = new ArrayList<>();
        for (String name : names) {
            K1Contender c = all.get(name);
            if (c == null) {
                System.err.println("unknown contender '" + name + "'; contenders: " + all.keySet());
                return 2;
            }
            contenders.add(c);
        }
        Path scratch = Files.createTempDirectory("riffle-bench-kafka");
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try (ChildKafkaBroker kafka = ChildKafkaBroker.start(scratch.resolve("kafka"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            String servers = kafka.bootstrapServers();
            admin.createTopics(List.of(new NewTopic("k1-in", partitions, (short) 1))).all().get();
            long started = System.nanoTime();
            long[] totals = K1Topics.fill(servers, "k1-in", records, keys, 42);
            System.err.printf(Locale.ROOT, "wrote %,d records to k1-in (%d partitions) in %.1f s%n", records,
                    partitions, (System.nanoTime() - started) / 1e9);
            int run = 0;
            for (int round = 0; round < rounds; round++) {
                List<K1Contender> order = new ArrayList<>(contenders);
                if (round % 2 == 1) {
                    java.util.Collections.reverse(order);
                }
                for (K1Contender c : order) {
                    String topic = "k1-out-" + c.name() + "-" + run++;
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
                    Path dir = Files.createDirectories(scratch.resolve(topic));
                    long t0 = System.nanoTime();
                    c.run(servers, "k1-in", topic, parallelism, Duration.ofMillis(intervalMs), records, dir);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    String problem = K1Topics.check(servers, topic, records, totals);
                    if (problem != null) {
                        throw new IllegalStateException(c.name() + " wrote a wrong result to " + topic + ": " + problem);
                    }
                    double rate = records / seconds;
                    rates.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(rate);
                    System.err.printf(Locale.ROOT, "round %d %-14s %6.2f s %,12.0f records/s (output checked)%n",
                            round + 1, c.name(), seconds, rate);
                }
            }
        } finally {
            deleteTree(scratch);
        }
        String report = report(rates);
        System.out.print(report);
        if (out != null) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("results.md"), report);
        }
        return 0;
    }

    private String report(Map<String, List<Double>> rates) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "K1: %,d records, %d keys, %d partitions, parallelism %d, exactly once,"
                + " commit every %d ms, %d rounds alternating%n%n", records, keys, partitions, parallelism, intervalMs,
                rounds));
        md.append("| contender | median records/s | runs (records/s) | vs raw loop |\n|---|---|---|---|\n");
        Double raw = rates.containsKey("raw-loop") ? median(rates.get("raw-loop")) : null;
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            double m = median(e.getValue());
            StringBuilder runs = new StringBuilder();
            for (double r : e.getValue()) {
                runs.append(runs.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", r));
            }
            md.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %s |%n", e.getKey(), m, runs,
                    raw == null ? "" : String.format(Locale.ROOT, "%.2f", m / raw)));
        }
        return md.toString();
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
