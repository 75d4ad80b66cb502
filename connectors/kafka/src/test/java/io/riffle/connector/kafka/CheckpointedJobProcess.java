package io.riffle.connector.kafka;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import io.riffle.engine.Environment;
import io.riffle.engine.JobHandle;
import io.riffle.engine.internal.connector.GeneratorSource;

/**
 * The Riffle JVM that {@link KafkaSinkKillTest} kills with {@code kill -9}: the keyed sum of a generator into a Kafka
 * topic, exactly once, checkpointing when told. Arguments: bootstrap servers, topic, checkpoint directory, records,
 * records per second (0: as fast as it goes), and "restore" to restore the newest checkpoint of the directory. It
 * reads commands on stdin ("checkpoint") and answers on stdout ("checkpoint N", "finished").
 */
public final class CheckpointedJobProcess {
    private CheckpointedJobProcess() {
    }

    public static void main(String[] args) throws Exception {
        String servers = args[0];
        String topic = args[1];
        Path checkpoints = Path.of(args[2]);
        long records = Long.parseLong(args[3]);
        long perSecond = Long.parseLong(args[4]);
        boolean restore = args.length > 5 && args[5].equals("restore");
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(64).setChannelCapacity(8)
                .enableCheckpointing(java.time.Duration.ZERO, checkpoints);
        if (restore) {
            env.restoreFrom(checkpoints);
        }
        env.fromSource(new GeneratorSource(records, 97, perSecond)).keyBy("key").sum("value")
                .addSink(KafkaSink.builder().bootstrapServers(servers).topic(topic).encoder(new KeyValueText())
                        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix(topic).build());
        JobHandle job = env.executeAsync(topic);
        Thread commands = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals("checkpoint")) {
                        System.out.println("checkpoint " + job.triggerCheckpoint().get());
                    }
                }
            } catch (Exception e) {
                System.out.println("failed " + e);
            }
        }, "commands");
        commands.setDaemon(true);
        commands.start();
        job.await();
        System.out.println("finished");
    }
}
