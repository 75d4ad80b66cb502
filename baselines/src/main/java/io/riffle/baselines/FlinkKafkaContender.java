package io.riffle.baselines;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.riffle.bench.kafka.KafkaContender;
import io.riffle.bench.kafka.KafkaJob;

/**
 * Flink's K1 contender: {@link FlinkKafkaJob} in a child JVM. flink-connector-kafka reaches into the Kafka
 * clients' internals and needs the 4.2 clients it was built with, while this JVM holds the broker's 4.3.1; the
 * child's classpath is this one with the Kafka clients swapped for the copy the build puts in
 * {@code target/flink-kafka-clients}. Stopping the job ends the child.
 */
public final class FlinkKafkaContender implements KafkaContender {
    private static final String KAFKA_CLIENTS_JAR = "kafka-clients-";

    @Override
    public String name() {
        return "flink";
    }

    @Override
    public RunningJob start(KafkaJob job) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(childClasspath());
        command.add(FlinkKafkaJob.class.getName());
        command.addAll(List.of(job.bootstrapServers(), job.inputTopic(), job.outputTopic(), job.groupId(),
                Integer.toString(job.parallelism()), Long.toString(job.commitInterval().toMillis()),
                job.scratch().toString()));
        Path log = job.scratch().resolve("flink-job.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Running(process, log);
    }

    /** This JVM's classpath with the Kafka clients jar swapped for the connector's version. */
    private static String childClasspath() throws URISyntaxException {
        Path classes = Path.of(FlinkKafkaContender.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path clientsDir = classes.resolveSibling("flink-kafka-clients");
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(clientsDir)) {
            try (Stream<Path> listing = Files.list(clientsDir)) {
                listing.filter(p -> p.getFileName().toString().startsWith(KAFKA_CLIENTS_JAR)).forEach(jars::add);
            } catch (IOException e) {
                throw new IllegalStateException("cannot list " + clientsDir + ": " + e.getMessage(), e);
            }
        }
        if (jars.size() != 1) {
            throw new IllegalStateException("flink's K1 job needs exactly one Kafka clients jar in " + clientsDir
                    + " (found " + jars.size() + "); build the baselines module with `mvn -P baselines package`,"
                    + " as bin/riffle-bench-kafka does");
        }
        StringBuilder classpath = new StringBuilder(jars.get(0).toString());
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!Path.of(entry).getFileName().toString().startsWith(KAFKA_CLIENTS_JAR)) {
                classpath.append(File.pathSeparator).append(entry);
            }
        }
        return classpath.toString();
    }

    private static final class Running implements RunningJob {
        private final Process process;
        private final Path log;

        Running(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        @Override
        public void checkAlive() throws Exception {
            if (!process.isAlive()) {
                throw new IllegalStateException("Flink's K1 job exited with " + process.exitValue() + "; its log: "
                        + log + (Files.exists(log) ? "\n" + lastLines(log) : ""));
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }

        private static String lastLines(Path log) throws IOException {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
    }
}
