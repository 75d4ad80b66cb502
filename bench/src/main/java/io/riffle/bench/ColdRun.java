package io.riffle.bench;

import java.util.Locale;

/**
 * One cold run: a process of its own that runs one workload once on one system and prints the run's JSON
 * line last on stdout; the runner times the whole process.
 * {@code java ... io.riffle.bench.ColdRun <system> <workload> <records> <keys> <parallelism>}.
 */
public final class ColdRun {
    private ColdRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ColdRun <system> <workload> <records> <keys> <parallelism>");
            System.exit(2);
        }
        Contender contender = BenchRunner.contender(args[0]);
        Run run = contender.run(Workload.valueOf(args[1].toUpperCase(Locale.ROOT)), Long.parseLong(args[2]),
                Long.parseLong(args[3]), Integer.parseInt(args[4]));
        System.out.println(run.toJson());
        System.out.flush();
        // Flink's and Spark's non-daemon threads would keep a finished process alive.
        System.exit(0);
    }
}
