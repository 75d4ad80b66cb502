package io.riffle.bench.kafka;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.connector.kafka.DeliveryGuarantee;
import io.riffle.connector.kafka.KafkaSink;
import io.riffle.connector.kafka.KafkaSource;
import io.riffle.connector.kafka.RecordDecoders;
import io.riffle.connector.kafka.RecordEncoders;
import io.riffle.engine.Environment;
import io.riffle.engine.JobFailedException;
import io.riffle.engine.JobHandle;

/**
 * K1 on Riffle: {@code KafkaSource} (fixed-width little-endian records, read_committed) ->
 * {@code keyBy(key).sum(amount)} -> {@code KafkaSink} with {@code EXACTLY_ONCE} (fixed-width values, keyed by the
 * key's 8 bytes), checkpointing every commit interval, at the job's parallelism.
 */
public final class RiffleKafkaContender implements KafkaContender {
    /** {@link KeyedAmount}'s 16 bytes as Riffle decodes them. */
    private static final BatchSchema RECORD = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("amount", ColumnType.INT64));

    @Override
    public String name() {
        return "riffle";
    }

    @Override
    public RunningJob start(KafkaJob job) {
        Environment env = Environment.streaming().setParallelism(job.parallelism())
                .enableCheckpointing(job.commitInterval(), job.scratch().resolve("checkpoints"));
        env.fromSource(KafkaSource.builder().bootstrapServers(job.bootstrapServers()).topics(job.inputTopic())
                        .decoder(RecordDecoders.fixedWidth(RECORD)).build())
                .keyBy("key").sum("amount")
                .addSink(KafkaSink.builder().bootstrapServers(job.bootstrapServers()).topic(job.outputTopic())
                        .encoder(RecordEncoders.fixedWidth().withKey("key"))
                        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix(job.groupId())
                        .build());
        JobHandle handle = env.executeAsync(job.groupId());
        return new RunningJob() {
            @Override
            public void checkAlive() {
                if (handle.isDone()) {
                    handle.await();
                    throw new IllegalStateException("the Riffle job ended before its output was complete");
                }
            }

            @Override
            public void close() {
                handle.cancel();
                try {
                    handle.await();
                } catch (JobFailedException cancelled) {
                    // The runner cancels the job once its output is complete: that ending is the expected one.
                }
            }
        };
    }
}
