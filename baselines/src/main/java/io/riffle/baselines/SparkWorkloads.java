package io.riffle.baselines;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

import io.riffle.bench.Checksum;
import io.riffle.bench.Contender;
import io.riffle.bench.Run;
import io.riffle.bench.Workload;
import io.riffle.engine.connector.ZipfText;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The batch workloads on Apache Spark in local mode ({@code local[P]}, {@code spark.sql.shuffle.partitions}
 * = P, the UI off), with the DataFrame API: {@code range(N)} projected to (key, value) and aggregated (W2);
 * mapped to words by {@link ZipfText} per partition and counted (W4); projected to orders and joined with
 * {@code range(K)}'s customers, then summed per customer (W5: Spark's planner broadcasts the small side,
 * as it would for any user). Only the result rows come back to the driver. One
 * session per JVM, kept between runs, so that later runs are warm; the first run of a process includes
 * starting it.
 */
public final class SparkWorkloads implements Contender {
    private static SparkSession session;

    private static synchronized SparkSession session(int parallelism) {
        if (session == null) {
            session = SparkSession.builder().master("local[" + parallelism + "]").appName("riffle-baselines")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", String.valueOf(parallelism))
                    .getOrCreate();
        }
        return session;
    }

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public boolean runs(Workload workload) {
        return workload.isBatch();
    }

    @Override
    public Run run(Workload workload, long records, long keys, int parallelism) {
        if (!runs(workload)) {
            throw new IllegalArgumentException("Spark runs the batch workloads; " + workload + " is Flink's to compare");
        }
        long start = System.nanoTime();
        SparkSession spark = session(parallelism);
        Dataset<Row> result = switch (workload) {
            case W2 -> spark.range(0, records)
                    .select(functions.col("id").mod(keys).as("key"), functions.col("id").as("value"))
                    .groupBy("key").agg(functions.sum("value").as("value"));
            case W4 -> spark.range(0, records).mapPartitions(new ZipfWords(Math.toIntExact(keys)), Encoders.STRING())
                    .toDF("word").groupBy("word").count();
            case W5 -> {
                Dataset<Row> orders = spark.range(0, records)
                        .select(functions.col("id").mod(keys).as("customer"), functions.col("id").as("amount"));
                Dataset<Row> customers = spark.range(0, keys)
                        .select(functions.col("id"), functions.col("id").as("value"));
                yield orders.join(customers, orders.col("customer").equalTo(customers.col("id")))
                        .groupBy("customer").agg(functions.sum("amount").as("amount"));
            }
            default -> throw new IllegalArgumentException("no Spark job for " + workload);
        };
        List<Row> rows = result.collectAsList();
        double seconds = (System.nanoTime() - start) / 1e9;
        Checksum checksum = new Checksum(keys);
        Checksum.Part part = checksum.part();
        for (Row r : rows) {
            if (workload == Workload.W4) {
                byte[] word = r.getString(0).getBytes(StandardCharsets.UTF_8);
                part.add(Checksum.utf8(word, 0, word.length), r.getLong(1));
            } else {
                part.add(r.getLong(0), r.getLong(1));
            }
        }
        return new Run("spark", workload, records, keys, parallelism, seconds, checksum.rows(), checksum.value());
    }

    /**
     * A partition's indexes as the Zipf text's words: the generator and the vocabulary's strings are built
     * once per partition, and a record costs a rank lookup.
     */
    private static final class ZipfWords implements MapPartitionsFunction<Long, String> {
        private final int vocabulary;

        ZipfWords(int vocabulary) {
            this.vocabulary = vocabulary;
        }

        @Override
        public Iterator<String> call(Iterator<Long> indexes) {
            ZipfText text = new ZipfText(vocabulary);
            String[] words = new String[vocabulary];
            for (int r = 0; r < vocabulary; r++) {
                words[r] = ZipfText.word(r);
            }
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return indexes.hasNext();
                }

                @Override
                public String next() {
                    return words[text.rank(indexes.next())];
                }
            };
        }
    }
}
