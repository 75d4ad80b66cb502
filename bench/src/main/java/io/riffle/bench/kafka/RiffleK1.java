package io.riffle.bench.kafka;

import java.nio.file.Path;
import java.time.Duration;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.connector.kafka.DeliveryGuarantee;
import io.riffle.connector.kafka.KafkaSink;
import io.riffle.connector.kafka.KafkaSource;
import io.riffle.connector.kafka.RecordDecoders;
import io.riffle.connector.kafka.RecordEncoders;
import io.riffle.engine.Environment;

/** K1 on Riffle: KafkaSource (bounded, fixed-width) -> keyBy(key).sum(amount) -> KafkaSink, exactly once. */
final class RiffleK1 implements K1Contender {
    static final BatchSchema RECORD = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("amount", ColumnType.INT64));

    @Override
    public String name() {
        return "riffle";
    }

    @Override
    public void run(String servers, String in, String out, int parallelism, Duration interval, long records,
                    Path scratch) {
        Environment env = Environment.streaming().setParallelism(parallelism)
                .enableCheckpointing(interval, scratch.resolve("checkpoints"));
        env.fromSource(KafkaSource.builder().bootstrapServers(servers).topics(in).bounded()
                        .decoder(RecordDecoders.fixedWidth(RECORD)).build())
                .keyBy("key").sum("amount")
                .addSink(KafkaSink.builder().bootstrapServers(servers).topic(out)
                        .encoder(RecordEncoders.fixedWidth().withKey("key"))
                        .deliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE).transactionalIdPrefix(out).build());
        env.execute("k1-" + out);
    }
}
