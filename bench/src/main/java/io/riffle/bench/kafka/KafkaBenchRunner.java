package io.riffle.bench.kafka;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

import io.riffle.bench.Json;
import io.riffle.bench.Machine;
import io.riffle.bench.ScratchDirectory;
import io.riffle.kafka.broker.LocalKafkaBroker;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * K1 and L1-Kafka side by side on one in-process broker: fills K1's input topic once, then runs every
 * {@link KafkaContender} on the classpath in turn (contenders alternate within each repetition) from the same
 * topic to an output topic of its own, verifying each output with {@code read_committed}; then L1-Kafka, a
 * paced feed per contender. Writes results.json and summary.md to {@code --out}.
 */
@Command(name = "riffle-bench-kafka", mixinStandardHelpOptions = true,
        description = "K1 (Kafka keyed running sum, exactly-once, topic to topic) and L1-Kafka on a local broker.")
public final class KafkaBenchRunner implements Callable<Integer> {
    @Option(names = "--records", description = "K1 input records (default 1000000).")
    long records = 1_000_000;

    @Option(names = "--keys", description = "Distinct keys (default 10000).")
    int keys = 10_000;

    @Option(names = "--partitions", description = "Partitions of every topic (default 4).")
    int partitions = 4;

    @Option(names = "--parallelism", split = ",", description = "Parallelism of every contender, one run set per value"
            + " (default 1,2).")
    List<Integer> parallelisms = List.of(1, 2);

    @Option(names = "--interval-ms", description = "Transaction commit / checkpoint interval (default 1000).")
    long intervalMs = 1000;

    @Option(names = "--repetitions", description = "Measured K1 runs per contender and parallelism (default 1).")
    int repetitions = 1;

    @Option(names = "--contenders", split = ",", description = "Contenders to run (default: every one found).")
    List<String> contenderNames = List.of();

    @Option(names = "--seed", description = "Seed of K1's keys and amounts (default 19).")
    long seed = 19;

    @Option(names = "--timeout-s", description = "Longest a contender may take for one run (default 600).")
    long timeoutSeconds = 600;

    @Option(names = "--latency-rate", description = "L1-Kafka's input rate, records/s (default 20000).")
    int latencyRate = 20_000;

    @Option(names = "--latency-seconds", description = "L1-Kafka's feed length; 0 skips L1-Kafka (default 30).")
    int latencySeconds = 30;

    @Option(names = "--latency-warmup-seconds", description = "L1-Kafka's first seconds, not measured (default 10).")
    int latencyWarmupSeconds = 10;

    @Option(names = "--latency-keys", description = "L1-Kafka's distinct keys (default 1000).")
    int latencyKeys = 1000;

    @Option(names = "--out", description = "Result directory (default bench-results/<date>-kafka).")
    Path out;

    private final PrintStream log;

    KafkaBenchRunner(PrintStream log) {
        this.log = log;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new KafkaBenchRunner(System.err)).execute(args));
    }

    /** One measured K1 run. */
    record ThroughputRun(String contender, int parallelism, int repetition, long records, double seconds,
            double steadySeconds, double kafkaClientShare) {
        double recordsPerSecond() {
            return records / seconds;
        }

        /**
         * The rate from the first output record visible to the last: the job's start-up left out. Output becomes
         * visible a commit at a time, so it is coarse over few commit intervals; NaN when all came in one.
         */
        double steadyRecordsPerSecond() {
            return steadySeconds > 0 ? records / steadySeconds : Double.NaN;
        }
    }

    /** One L1-Kafka run. */
    record LatencyResult(String contender, int parallelism, int rate, long measured, long p50Nanos, long p99Nanos,
            long p999Nanos, long maxNanos) {
    }

    @Override
    public Integer call() throws Exception {
        List<KafkaContender> contenders = contenders();
        Path dir = out != null ? out : Path.of("bench-results", LocalDate.now() + "-kafka");
        Files.createDirectories(dir);
        List<ThroughputRun> throughput = new ArrayList<>();
        List<LatencyResult> latency = new ArrayList<>();
        double fillSeconds;
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start();
             ScratchDirectory scratchRoot = ScratchDirectory.create(Path.of(System.getProperty("java.io.tmpdir")),
                     "riffle-bench-kafka")) {
            String input = "k1-in";
            kafka.createTopic(input, partitions);
            long fillStart = System.nanoTime();
            long[] totals = InputTopic.fill(kafka.bootstrapServers(), input, records, keys, seed);
            fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            log.printf(Locale.ROOT, "K1: %d records, %d keys, %d partitions written in %.1f s%n", records, keys,
                    partitions, fillSeconds);
            for (int p : parallelisms) {
                for (int r = 1; r <= repetitions; r++) {
                    for (KafkaContender c : contenders) {
                        ThroughputRun run = throughput(kafka, scratchRoot.path(), c, input, totals, p, r);
                        log.printf(Locale.ROOT, "K1 %s p=%d #%d: %.0f records/s (%.1f s), %.0f records/s after the"
                                + " first output, Kafka client share %s%n", c.name(), p, r, run.recordsPerSecond(),
                                run.seconds(), run.steadyRecordsPerSecond(), share(run.kafkaClientShare()));
                        throughput.add(run);
                    }
                }
            }
            if (latencySeconds > 0) {
                for (int p : parallelisms) {
                    for (KafkaContender c : contenders) {
                        LatencyResult l = latency(kafka, scratchRoot.path(), c, p);
                        log.printf(Locale.ROOT, "L1-Kafka %s p=%d: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                                c.name(), p, l.p50Nanos() / 1e6, l.p99Nanos() / 1e6, l.maxNanos() / 1e6);
                        latency.add(l);
                    }
                }
            }
        }
        write(dir, fillSeconds, throughput, latency);
        log.println("wrote " + dir.resolve("summary.md") + " and " + dir.resolve("results.json"));
        return 0;
    }

    private List<KafkaContender> contenders() {
        List<KafkaContender> found = new ArrayList<>();
        for (KafkaContender c : ServiceLoader.load(KafkaContender.class)) {
            if (contenderNames.isEmpty() || contenderNames.contains(c.name())) {
                found.add(c);
            }
        }
        List<String> names = found.stream().map(KafkaContender::name).toList();
        for (String wanted : contenderNames) {
            if (!names.contains(wanted)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "no contender named " + wanted
                        + " on the classpath (found " + names + "; flink needs bin/riffle-bench-kafka without"
                        + " --no-baselines)");
            }
        }
        return found;
    }

    private ThroughputRun throughput(LocalKafkaBroker kafka, Path scratchRoot, KafkaContender c, String input,
            long[] totals, int p, int r) throws Exception {
        String id = "k1-" + c.name() + "-p" + p + "-r" + r;
        kafka.createTopic(id + "-out", partitions);
        try (ScratchDirectory scratch = ScratchDirectory.create(scratchRoot, id);
             OutputVerifier verifier = new OutputVerifier(kafka.bootstrapServers(), id + "-out")) {
            KafkaJob job = new KafkaJob(kafka.bootstrapServers(), input, id + "-out", id, p,
                    Duration.ofMillis(intervalMs), scratch.path());
            long start = System.nanoTime();
            double share;
            OutputVerifier.Visibility visible;
            try (KafkaContender.RunningJob running = c.start(job)) {
                visible = verifier.await(c.name(), records, totals, running::checkAlive, Duration.ofSeconds(timeoutSeconds),
                        (key, sum, nanos) -> { });
                share = running.kafkaClientShare();
            }
            return new ThroughputRun(c.name(), p, r, records, (visible.lastNanos() - start) / 1e9,
                    (visible.lastNanos() - visible.firstNanos()) / 1e9, share);
        }
    }

    private LatencyResult latency(LocalKafkaBroker kafka, Path scratchRoot, KafkaContender c, int p)
            throws Exception {
        String id = "l1-" + c.name() + "-p" + p;
        kafka.createTopic(id + "-in", partitions);
        kafka.createTopic(id + "-out", partitions);
        long feedRecords = (long) latencyRate * latencySeconds;
        PacedFeed feed = new PacedFeed(kafka.bootstrapServers(), id + "-in", latencyKeys, latencyRate, feedRecords,
                (long) latencyRate * latencyWarmupSeconds);
        try (ScratchDirectory scratch = ScratchDirectory.create(scratchRoot, id);
             OutputVerifier verifier = new OutputVerifier(kafka.bootstrapServers(), id + "-out")) {
            KafkaJob job = new KafkaJob(kafka.bootstrapServers(), id + "-in", id + "-out", id, p,
                    Duration.ofMillis(intervalMs), scratch.path());
            Thread feeder = new Thread(feed, id + "-feed");
            try (KafkaContender.RunningJob running = c.start(job)) {
                feeder.start();
                try {
                    verifier.await(c.name(), feedRecords, feed.totals(), () -> {
                        running.checkAlive();
                        feed.check();
                    }, Duration.ofSeconds(timeoutSeconds), feed::visible);
                } finally {
                    feeder.join();
                }
            }
        }
        Histogram h = feed.latencies();
        return new LatencyResult(c.name(), p, latencyRate, h.getTotalCount(), h.getValueAtPercentile(50),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    private static String share(double share) {
        return Double.isNaN(share) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * share);
    }

    private void write(Path dir, double fillSeconds, List<ThroughputRun> throughput, List<LatencyResult> latency)
            throws IOException {
        Machine m = Machine.current();
        StringBuilder md = new StringBuilder();
        md.append("# K1 / L1-Kafka: keyed running sum, topic to topic, exactly-once\n\n");
        md.append(String.format(Locale.ROOT, "Machine: %s, %d cores, %s, %s. Broker: Kafka 4.3.1 KRaft, single"
                + " node, in process.%n%n", m.cpu(), m.cores(), m.os(), m.jvm()));
        md.append(String.format(Locale.ROOT, "K1: %d records, %d keys, %d partitions, commit interval %d ms;"
                + " input written in %.1f s. Time runs from the job's start to the last output record visible"
                + " to a read_committed consumer (so it includes the job's start-up and its last commit); 'after first"
                + " output' times from the first output record visible instead, leaving the start-up out (coarse:"
                + " output becomes visible a commit at a time).%n%n",
                records, keys, partitions, intervalMs, fillSeconds));
        md.append("| contender | parallelism | run | records/s | seconds | records/s after first output |"
                + " Kafka client share |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (ThroughputRun t : throughput) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.0f | %s |%n", t.contender(),
                    t.parallelism(), t.repetition(), t.recordsPerSecond(), t.seconds(), t.steadyRecordsPerSecond(),
                    share(t.kafkaClientShare())));
        }
        if (!latency.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nL1-Kafka: %d records/s for %d s (first %d s not measured),"
                    + " %d keys; latency from a record's due time to its output visible with read_committed.%n%n",
                    latencyRate, latencySeconds, latencyWarmupSeconds, latencyKeys));
            md.append("| contender | parallelism | measured | p50 ms | p99 ms | p99.9 ms | max ms |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (LatencyResult l : latency) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.1f | %.1f |%n", l.contender(),
                        l.parallelism(), l.measured(), l.p50Nanos() / 1e6, l.p99Nanos() / 1e6, l.p999Nanos() / 1e6,
                        l.maxNanos() / 1e6));
            }
        }
        Files.writeString(dir.resolve("summary.md"), md.toString());
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"machine\": {\"cpu\": \"%s\", \"cores\": %d, \"jvm\": \"%s\"},%n",
                Json.escape(m.cpu()), m.cores(), Json.escape(m.jvm())));
        json.append(String.format(Locale.ROOT, " \"k1\": {\"records\": %d, \"keys\": %d, \"partitions\": %d,"
                + " \"interval_ms\": %d, \"fill_seconds\": %.3f, \"runs\": [", records, keys, partitions, intervalMs,
                fillSeconds));
        for (int i = 0; i < throughput.size(); i++) {
            ThroughputRun t = throughput.get(i);
            json.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT, "  {\"contender\": \"%s\","
                    + " \"parallelism\": %d, \"repetition\": %d, \"seconds\": %.3f, \"records_per_second\": %.0f,"
                    + " \"steady_records_per_second\": %.0f, \"kafka_client_share\": %s}", Json.escape(t.contender()),
                    t.parallelism(), t.repetition(), t.seconds(), t.recordsPerSecond(), t.steadyRecordsPerSecond(),
                    Double.isNaN(t.kafkaClientShare()) ? "null"
                            : String.format(Locale.ROOT, "%.3f", t.kafkaClientShare())));
        }
        json.append("]},\n \"l1_kafka\": [");
        for (int i = 0; i < latency.size(); i++) {
            LatencyResult l = latency.get(i);
            json.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT, "  {\"contender\": \"%s\","
                    + " \"parallelism\": %d, \"rate\": %d, \"measured\": %d, \"p50_ns\": %d, \"p99_ns\": %d,"
                    + " \"p999_ns\": %d, \"max_ns\": %d}", Json.escape(l.contender()), l.parallelism(), l.rate(),
                    l.measured(), l.p50Nanos(), l.p99Nanos(), l.p999Nanos(), l.maxNanos()));
        }
        json.append("]}\n");
        Files.writeString(dir.resolve("results.json"), json.toString());
    }
}
