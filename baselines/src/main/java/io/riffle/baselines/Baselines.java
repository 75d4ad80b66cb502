package io.riffle.baselines;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs one workload on Riffle and its baselines in one process, interleaved (Riffle, Flink, Spark, Hadoop,
 * Riffle, ...): streaming workloads against Flink, batch ones against Flink, Spark and Hadoop MapReduce. Prints one JSON line per run,
 * then a summary line: each system's first run (cold: a fresh JVM, nothing compiled yet) apart from the
 * median of its later ones (warm), Riffle's warm ratio to each baseline, and whether every run's result
 * checksum agreed with Riffle's.
 * {@code java ... io.riffle.baselines.Baselines W2 20000000 10000 2 5} (workload, records, keys,
 * parallelism, repetitions).
 */
public final class Baselines {
    private interface Contender {
        Run run(Workload workload, long records, long keys, int parallelism) throws Exception;
    }

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
        List<String> names = new ArrayList<>(List.of("riffle", "flink"));
        List<Contender> systems = new ArrayList<>(List.of(RiffleWorkloads::run, FlinkWorkloads::run));
        if (workload == Workload.W2) {
            names.add("spark");
            systems.add(SparkWorkloads::run);
            names.add("hadoop");
            systems.add(HadoopWorkloads::run);
        }
        double[][] rates = new double[systems.size()][repetitions];
        boolean[] agree = new boolean[systems.size()];
        Arrays.fill(agree, true);
        long checksum = 0;
        for (int r = 0; r < repetitions; r++) {
            for (int s = 0; s < systems.size(); s++) {
                Run run = systems.get(s).run(workload, records, keys, parallelism);
                System.out.println(run.toJson());
                rates[s][r] = run.recordsPerSecond();
                if (s == 0) {
                    checksum = run.checksum();
                } else {
                    agree[s] &= run.checksum() == checksum;
                }
            }
        }
        StringBuilder summary = new StringBuilder(String.format(Locale.ROOT,
                "{\"summary\":\"%s\",\"records\":%d,\"keys\":%d,\"parallelism\":%d,\"repetitions\":%d,\"checksum\":\"%016x\"",
                workload, records, keys, parallelism, repetitions, checksum));
        double riffleWarm = warmMedian(rates[0]);
        for (int s = 0; s < systems.size(); s++) {
            String n = names.get(s);
            double warm = warmMedian(rates[s]);
            summary.append(String.format(Locale.ROOT, ",\"%s_cold\":%.1f,\"%s_warm_median\":%.1f", n, rates[s][0], n, warm));
            if (s > 0) {
                summary.append(String.format(Locale.ROOT, ",\"ratio_to_%s\":%.2f,\"checksums_agree_%s\":%b", n,
                        riffleWarm / warm, n, agree[s]));
            }
        }
        System.out.println(summary.append('}'));
    }

    /** The median of the runs after the first (the first alone when there is one). */
    private static double warmMedian(double[] values) {
        if (values.length == 1) {
            return values[0];
        }
        double[] sorted = Arrays.copyOfRange(values, 1, values.length);
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
