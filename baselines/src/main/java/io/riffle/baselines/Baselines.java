package io.riffle.baselines;

import java.util.Locale;

/**
 * Runs one workload on Riffle and on Flink in one process, interleaved (Riffle, Flink, Riffle, Flink, ...),
 * and prints one JSON line per run, then a summary line: each system's first run (cold: a fresh JVM, nothing
 * compiled yet) apart from the median of the later ones (warm), their ratio, and whether every run's
 * checksum agreed.
 * {@code java ... io.riffle.baselines.Baselines W1 20000000 10000 2 3} (workload, records, keys,
 * parallelism, repetitions).
 */
public final class Baselines {
    private Baselines() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: Baselines <W1|W2|W3> <records> <keys> <parallelism> <repetitions>");
            System.exit(2);
        }
        Workload workload = Workload.valueOf(args[0].toUpperCase(Locale.ROOT));
        long records = Long.parseLong(args[1]);
        long keys = Long.parseLong(args[2]);
        int parallelism = Integer.parseInt(args[3]);
        int repetitions = Integer.parseInt(args[4]);
        double[] riffle = new double[repetitions];
        double[] flink = new double[repetitions];
        long riffleChecksum = 0;
        boolean agree = true;
        for (int r = 0; r < repetitions; r++) {
            Run a = RiffleWorkloads.run(workload, records, keys, parallelism);
            Run b = FlinkWorkloads.run(workload, records, keys, parallelism);
            System.out.println(a.toJson());
            System.out.println(b.toJson());
            riffle[r] = a.recordsPerSecond();
            flink[r] = b.recordsPerSecond();
            riffleChecksum = a.checksum();
            agree &= a.checksum() == b.checksum() && a.rows() == b.rows();
        }
        double riffleWarm = warmMedian(riffle);
        double flinkWarm = warmMedian(flink);
        System.out.println(String.format(Locale.ROOT, "{\"summary\":\"%s\",\"records\":%d,\"keys\":%d,"
                        + "\"parallelism\":%d,\"repetitions\":%d,\"riffle_cold\":%.1f,\"flink_cold\":%.1f,"
                        + "\"riffle_warm_median\":%.1f,\"flink_warm_median\":%.1f,\"warm_ratio\":%.2f,"
                        + "\"checksums_agree\":%b,\"checksum\":\"%016x\"}",
                workload, records, keys, parallelism, repetitions, riffle[0], flink[0], riffleWarm, flinkWarm,
                riffleWarm / flinkWarm, agree, riffleChecksum));
    }

    /** The median of the runs after the first (the first alone when there is one). */
    private static double warmMedian(double[] values) {
        if (values.length == 1) {
            return values[0];
        }
        double[] sorted = java.util.Arrays.copyOfRange(values, 1, values.length);
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
