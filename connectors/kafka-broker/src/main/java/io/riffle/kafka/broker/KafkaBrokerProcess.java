package io.riffle.kafka.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;

/**
 * The main of a child JVM running one Kafka 4.x node (broker and KRaft controller) with its data in a directory
 * that outlives it: the first start formats the directory, a later one (a restart) finds its data there. Started by
 * {@link ChildKafkaBroker}. Arguments: data directory, client port, controller port.
 */
public final class KafkaBrokerProcess {
    private KafkaBrokerProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        int controllerPort = Integer.parseInt(args[2]);
        Path config = writeConfig(dir, port, controllerPort);
        if (!Files.exists(dir.resolve("logs").resolve("meta.properties"))) {
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
            int formatted = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                    config.toString()}, quiet);
            if (formatted != 0) {
                throw new IllegalStateException("could not format the Kafka data directory " + dir);
            }
        }
        kafka.Kafka.main(new String[] {config.toString()});
    }

    private static Path writeConfig(Path dir, int port, int controllerPort) throws IOException {
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.putAll(SingleNode.CONFIG);
        p.putAll(Map.of(
                "process.roles", "broker,controller",
                "node.id", "1",
                "controller.quorum.voters", "1@localhost:" + controllerPort,
                "listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort,
                "advertised.listeners", "PLAINTEXT://localhost:" + port,
                "controller.listener.names", "CONTROLLER",
                "inter.broker.listener.name", "PLAINTEXT",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs", dir.resolve("logs").toString()));
        Path config = dir.resolve("server.properties");
        try (var out = Files.newOutputStream(config)) {
            p.store(out, "written by Riffle's KafkaBrokerProcess");
        }
        return config;
    }
}
