package io.riffle.kafka.broker;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * One Kafka 4.x node in a child JVM ({@link KafkaBrokerProcess}) on fixed ports, with its data in a directory the
 * caller owns: it can be stopped, killed and started again where it was, as a broker restarted under a running
 * job is. The child runs on this JVM's classpath.
 *
 * <pre>{@code
 * try (ChildKafkaBroker kafka = ChildKafkaBroker.start(dir)) {
 *     ... kafka.bootstrapServers() ...
 *     kafka.restart();
 * }
 * }</pre>
 */
public final class ChildKafkaBroker implements AutoCloseable {
    private static final long READY_SECONDS = 120;

    private final Path directory;
    private final int port;
    private final int controllerPort;
    private Process process;

    private ChildKafkaBroker(Path directory, int port, int controllerPort) {
        this.directory = directory;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** Starts a node with its data in {@code directory} on two free ports, and waits until it serves clients. */
    public static ChildKafkaBroker start(Path directory) throws Exception {
        return start(directory, freePort(), freePort());
    }

    /** Starts a node on {@code port} (clients) and {@code controllerPort}, and waits until it serves clients. */
    public static ChildKafkaBroker start(Path directory, int port, int controllerPort) throws Exception {
        ChildKafkaBroker broker = new ChildKafkaBroker(directory, port, controllerPort);
        broker.launch();
        return broker;
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    /** Stops the node as an operator would (SIGTERM, a controlled shutdown) and starts it again on its data. */
    public void restart() throws Exception {
        stop();
        launch();
    }

    /** Kills the node at once ({@code kill -9}): it writes nothing more. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** Stops the node with a controlled shutdown. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /** Starts the node again on its data and ports after {@link #stop} or {@link #kill}. */
    public void launch() throws Exception {
        Files.createDirectories(directory);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), KafkaBrokerProcess.class.getName(),
                directory.toString(), Integer.toString(port), Integer.toString(controllerPort)));
        process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(directory.resolve("broker.err").toFile()).start();
        awaitReady();
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_SECONDS);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker in a child JVM exited with "
                            + process.exitValue() + " before serving clients: see " + directory.resolve("broker.err"));
                }
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the Kafka broker on port " + port + " did not serve clients"
                                + " within " + READY_SECONDS + " s: see " + directory.resolve("broker.err"), e);
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the node; its data stays in the directory. */
    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            try {
                stop();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
