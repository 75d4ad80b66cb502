package io.riffle.connector.kafka.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.connector.kafka.DeliveryGuarantee;
import io.riffle.connector.kafka.KafkaSink;
import io.riffle.connector.kafka.KafkaSource;
import io.riffle.connector.kafka.RecordDecoder;
import io.riffle.connector.kafka.RecordDecoders;
import io.riffle.connector.kafka.RecordEncoder;
import io.riffle.connector.kafka.RecordEncoders;
import io.riffle.connector.kafka.StartingOffsets;
import io.riffle.engine.DataStream;
import io.riffle.engine.Environment;
import io.riffle.engine.JobResult;
import io.riffle.engine.WatermarkStrategy;
import io.riffle.engine.Windows;
import org.jspecify.annotations.Nullable;

/** The built-in jobs of {@code bin/riffle run} on Kafka topics: keyed-sum, window-sum and wordcount. */
final class KafkaJob {
    static final List<String> JOBS = List.of("keyed-sum", "window-sum", "wordcount");

    static final BatchSchema KEY_VALUE = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64));
    static final BatchSchema KEY_VALUE_TIME = BatchSchema.of(Column.of("key", ColumnType.INT64),
            Column.of("value", ColumnType.INT64), Column.of("timestamp", ColumnType.TIMESTAMP_MS));
    static final BatchSchema LINES = BatchSchema.of(Column.of("line", ColumnType.UTF8));
    static final BatchSchema WORDS = BatchSchema.of(Column.of("word", ColumnType.UTF8), Column.of("count",
            ColumnType.INT64));

    private KafkaJob() {
    }

    /** How records are laid out on the topics. */
    enum Format {
        CSV, JSON, BINARY;

        static @Nullable Format named(String name) {
            for (Format f : values()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return f;
                }
            }
            return null;
        }

        RecordDecoder decoder(BatchSchema schema) {
            return switch (this) {
                case CSV -> RecordDecoders.csv(schema);
                case JSON -> RecordDecoders.json(schema);
                case BINARY -> RecordDecoders.fixedWidth(schema);
            };
        }

        RecordEncoder encoder(String key) {
            return switch (this) {
                case CSV -> RecordEncoders.csv().withKey(key);
                case JSON -> RecordEncoders.json().withKey(key);
                case BINARY -> RecordEncoders.fixedWidth().withKey(key);
            };
        }
    }

    /** What {@code bin/riffle run} asked for, checked. */
    record Settings(String job, String bootstrap, @Nullable String in, @Nullable String out, Format format,
                    boolean bounded, @Nullable String groupId, int parallelism, int batchSize,
                    @Nullable Path checkpointDir, long checkpointIntervalMs, @Nullable Path from,
                    DeliveryGuarantee guarantee, long records, int keys, long windowMs, long outOfOrderMs,
                    long idleMs) {
    }

    /** What a run reports on its last stdout line, as JSON. */
    record Outcome(String job, long records, double seconds, int parallelism, long checkpoints, int restarts) {
        String toJson() {
            double rate = seconds > 0 ? records / seconds : 0;
            return String.format(Locale.ROOT, "{\"job\":\"%s\",\"records\":%d,\"seconds\":%.3f,"
                    + "\"records_per_s\":%.0f,\"parallelism\":%d,\"checkpoints\":%d,\"restarts\":%d}", job, records,
                    seconds, rate, parallelism, checkpoints, restarts);
        }
    }

    /** The guarantee named {@code name} (null: exactly-once with checkpoints, else at-least-once), or null. */
    static @Nullable DeliveryGuarantee guarantee(@Nullable String name, @Nullable Path checkpointDir) {
        if (name == null) {
            return checkpointDir != null ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE;
        }
        return switch (name) {
            case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
            case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
            case "none" -> DeliveryGuarantee.NONE;
            default -> null;
        };
    }

    static Outcome run(Settings s, PrintStream out) {
        Environment env = Environment.streaming().setParallelism(s.parallelism()).setBatchSize(s.batchSize());
        if (s.checkpointDir() != null) {
            env.enableCheckpointing(Duration.ofMillis(s.checkpointIntervalMs()), s.checkpointDir());
        }
        if (s.from() != null) {
            env.restoreFrom(s.from());
        }
        DataStream results = switch (s.job()) {
            case "keyed-sum" -> input(env, s, KEY_VALUE, null).keyBy("key").sum("value");
            case "window-sum" -> input(env, s, KEY_VALUE_TIME, "timestamp").keyBy("key")
                    .window(Windows.tumbling(Duration.ofMillis(s.windowMs()))).sum("value");
            case "wordcount" -> words(env, s).keyBy("word").sum("count");
            default -> throw new IllegalArgumentException("unknown job '" + s.job() + "'");
        };
        if (s.out() != null) {
            String key = s.job().equals("wordcount") ? "word" : "key";
            KafkaSink.Builder sink = KafkaSink.builder().bootstrapServers(s.bootstrap()).topic(s.out())
                    .encoder(s.format().encoder(key)).deliveryGuarantee(s.guarantee());
            if (s.guarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
                sink.transactionalIdPrefix("riffle-" + s.job() + "-" + s.out());
            }
            results.addSink(sink.build());
        } else {
            results.print();
        }
        JobResult r = env.execute(s.job());
        return new Outcome(s.job(), r.sourceRecords(), r.seconds(), s.parallelism(), r.checkpoints(), r.restarts());
    }

    /** The job's input: the topic decoded by the format, or generated records with times 1 ms apart. */
    private static DataStream input(Environment env, Settings s, BatchSchema schema, @Nullable String eventTime) {
        if (s.in() == null) {
            DataStream generated = env.generate(s.records(), s.keys());
            return eventTime == null ? generated
                    : generated.assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps(eventTime));
        }
        KafkaSource.Builder source = KafkaSource.builder().bootstrapServers(s.bootstrap()).topics(s.in())
                .startingOffsets(StartingOffsets.earliest()).decoder(s.format().decoder(schema));
        if (s.bounded()) {
            source.bounded();
        }
        if (s.groupId() != null) {
            source.groupId(s.groupId());
        }
        if (eventTime != null) {
            WatermarkStrategy strategy = WatermarkStrategy.boundedOutOfOrderness(eventTime,
                    Duration.ofMillis(s.outOfOrderMs()));
            source.watermarks(s.idleMs() > 0 ? strategy.withIdleness(Duration.ofMillis(s.idleMs())) : strategy);
        }
        return env.fromSource(source.build());
    }

    /** wordcount's input: the topic's lines (or generated text) split into words, each with a count of 1. */
    private static DataStream words(Environment env, Settings s) {
        DataStream lines = s.in() == null ? env.generateZipfText(s.records(), s.keys())
                : env.fromSource(KafkaSource.builder().bootstrapServers(s.bootstrap()).topics(s.in())
                        .startingOffsets(StartingOffsets.earliest()).decoder(RecordDecoders.lines("line"))
                        .build());
        return lines.flatMap((line, emit) -> {
            for (String w : line.getString(0).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
                if (!w.isEmpty()) {
                    emit.collect(w, 1L);
                }
            }
        }, WORDS);
    }
}
