package io.riffle.baselines;

import java.util.List;

import io.riffle.bench.Checksum;
import io.riffle.bench.Contender;
import io.riffle.bench.Run;
import io.riffle.bench.Workload;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * The batch workloads on Apache Spark in local mode ({@code local[P]}, {@code spark.sql.shuffle.partitions}
 * = P, the UI off), with the DataFrame API: {@code range(N)} projected to (key, value) and aggregated. One
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
        Dataset<Row> sums = spark.range(0, records)
                .select(functions.col("id").mod(keys).as("key"), functions.col("id").as("value"))
                .groupBy("key").agg(functions.sum("value").as("value"));
        List<Row> rows = sums.collectAsList();
        double seconds = (System.nanoTime() - start) / 1e9;
        Checksum checksum = new Checksum(keys);
        Checksum.Part part = checksum.part();
        for (Row r : rows) {
            part.add(r.getLong(0), r.getLong(1));
        }
        return new Run("spark", workload, records, keys, parallelism, seconds, checksum.rows(), checksum.value());
    }
}
