package io.riffle.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The side-by-side runner: each workload on Riffle and on every baseline on the classpath, interleaved
 * (A B C A B C ...), warm repetitions in this process after each system's warm-up, then cold runs each in a
 * process of its own, then L1; writes {@code results.json}, {@code summary.md} and the plots. A system
 * warms up like a JMH fork: it runs the workload again until its warm-up runs add up to
 * {@code --warmup-seconds}, so that a system whose run takes 0.3 s gets as much time to compile its code
 * as one whose run takes 20 s.
 *
 * <pre>{@code
 * bin/riffle-bench --workloads W1,W2 --records 20000000 --repetitions 3 --cold 1
 * }</pre>
 */
@Command(name = "riffle-bench", mixinStandardHelpOptions = true,
        description = "Runs the brief's workloads on Riffle and its baselines, side by side.")
public final class BenchRunner implements Callable<Integer> {
    @Option(names = "--workloads", split = ",", description = "Workloads to run (default: all).")
    List<Workload> workloads = List.of(Workload.values());

    @Option(names = "--records", split = ",", description = "N for every workload, or per workload as W1=N,W2=N"
            + " (default 20000000).")
    List<String> records = List.of("20000000");

    @Option(names = "--keys", description = "K: keys, W4's vocabulary, W5's customers (default 10000).")
    long keys = 10_000;

    @Option(names = "--parallelism", description = "Parallelism of every system (default 2).")
    int parallelism = 2;

    @Option(names = "--repetitions", description = "Warm repetitions per system after its warm-up (default 3).")
    int repetitions = 3;

    @Option(names = "--warmup-seconds", description = "Each system runs the workload, unmeasured, until these runs"
            + " add up to this many seconds; at least once (default 5).")
    double warmupSeconds = 5;

    @Option(names = "--cold", description = "Cold whole-process runs per system (default 1).")
    int coldRuns = 1;

    @Option(names = "--latency-rate", description = "L1's source rate, records/s over all subtasks (default 1000000;"
            + " 0: no L1).")
    long latencyRate = 1_000_000;

    @Option(names = "--latency-seconds", description = "L1's measured seconds, after the warm-up (default 20).")
    double latencySeconds = 20;

    @Option(names = "--latency-warmup-seconds", description = "L1's warm-up seconds, not measured (default 5).")
    double latencyWarmupSeconds = 5;

    @Option(names = "--latency-parallelism", description = "L1's parallelism on every system (default 1: on a"
            + " small machine the spare cores go to checkpoints, GC and the JIT).")
    int latencyParallelism = 1;

    @Option(names = "--checkpoint-interval-ms", description = "L1's checkpoint interval (default 1000).")
    long checkpointIntervalMs = 1000;

    @Option(names = "--systems", split = ",", description = "Systems to run (default: riffle and every baseline on"
            + " the classpath).")
    List<String> systems = List.of();

    @Option(names = "--out", description = "Output directory (default bench-results/<date>-<commit>).")
    Path out;

    @Option(names = "--commit", description = "The commit measured (default: git rev-parse --short HEAD).")
    String commit;

    private final PrintStream log;

    BenchRunner(PrintStream log) {
        this.log = log;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchRunner(System.err)).setCaseInsensitiveEnumValuesAllowed(true)
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Settings settings = settings();
        String at = commit != null ? commit : gitCommit();
        String date = LocalDate.now(ZoneOffset.UTC).toString();
        Path dir = out != null ? out : Path.of("bench-results", date + "-" + at);
        Report report = run(settings, at, date, dir);
        report.write(dir);
        log.println("results: " + dir.resolve("results.json") + ", " + dir.resolve("summary.md"));
        System.out.print(Files.readString(dir.resolve("summary.md"), StandardCharsets.UTF_8));
        return 0;
    }

    Settings settings() {
        Map<Workload, Long> counts = new EnumMap<>(Workload.class);
        for (String r : records) {
            int eq = r.indexOf('=');
            try {
                if (eq < 0) {
                    for (Workload w : Workload.values()) {
                        counts.put(w, Long.parseLong(r.trim()));
                    }
                } else {
                    counts.put(Workload.valueOf(r.substring(0, eq).trim().toUpperCase(Locale.ROOT)),
                            Long.parseLong(r.substring(eq + 1).trim()));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--records takes N or W1=N,W2=N,...; not '" + r + "'", e);
            }
        }
        LatencySetup latency = null;
        if (latencyRate > 0) {
            long measured = (long) (latencyRate * latencySeconds);
            long warmup = (long) (latencyRate * latencyWarmupSeconds);
            latency = new LatencySetup(latencyRate, warmup + measured, warmup, keys, latencyParallelism,
                    Duration.ofMillis(checkpointIntervalMs));
        }
        return new Settings(workloads, counts, keys, parallelism, repetitions, warmupSeconds, coldRuns, latency, systems);
    }

    /**
     * Runs everything {@code settings} asks for and returns the report, written into {@code dir} after each
     * workload too, so that a run cut short keeps what it measured. An L1 run that fails is reported as a
     * failure and the others go on.
     */
    Report run(Settings settings, String at, String date, Path dir) throws Exception {
        Machine machine = Machine.current();
        List<String> failures = new ArrayList<>();
        List<Contender> contenders = selected(settings.systems());
        List<Measurement> measurements = new ArrayList<>();
        for (Workload w : settings.workloads()) {
            List<Contender> here = new ArrayList<>();
            for (Contender c : contenders) {
                if (c.runs(w)) {
                    here.add(c);
                }
            }
            long n = settings.records(w);
            for (Contender c : here) {
                measurements.addAll(warmUp(c, w, n, settings, log));
            }
            for (int rep = 1; rep <= settings.repetitions(); rep++) {
                for (Contender c : here) {
                    Measurement m = measure(c, w, n, settings, Measurement.Phase.WARM, rep);
                    log.println(m.toJson());
                    measurements.add(m);
                }
            }
            for (int rep = 0; rep < settings.coldRuns(); rep++) {
                for (Contender c : here) {
                    Measurement m = cold(c.name(), w, n, settings.keys(), settings.parallelism(), rep);
                    log.println(m.toJson());
                    measurements.add(m);
                }
            }
            new Report(settings, machine, at, date, measurements, List.of(), failures).write(dir);
        }
        List<LatencyRun> latency = new ArrayList<>();
        if (settings.latency() != null) {
            for (Contender c : contenders) {
                for (String variant : c.latencyVariants()) {
                    System.gc();
                    try {
                        Quiescence.await();
                        LatencyRun l = c.latency(variant, settings.latency());
                        log.println(l.toJson());
                        latency.add(l);
                    } catch (Exception e) {
                        e.printStackTrace(log);
                        failures.add("L1 on " + c.name() + " " + variant + ": " + e);
                    }
                }
            }
        }
        return new Report(settings, machine, at, date, measurements, latency, failures);
    }

    /**
     * Runs {@code w} on {@code c} until the runs' own times add up to the settings' warm-up seconds, at
     * least once; returns them as {@link Measurement.Phase#WARMUP} measurements numbered from 0.
     */
    static List<Measurement> warmUp(Contender c, Workload w, long records, Settings settings, PrintStream log)
            throws Exception {
        List<Measurement> runs = new ArrayList<>();
        double spent = 0;
        do {
            Measurement m = measure(c, w, records, settings, Measurement.Phase.WARMUP, runs.size());
            log.println(m.toJson());
            runs.add(m);
            spent += m.wallSeconds();
        } while (spent < settings.warmupSeconds());
        return runs;
    }

    private static Measurement measure(Contender c, Workload w, long records, Settings settings,
                                       Measurement.Phase phase, int repetition) throws Exception {
        // The previous run's garbage is collected, and what it left running has stopped, before this clock starts.
        System.gc();
        Quiescence.await();
        Run r = c.run(w, records, settings.keys(), settings.parallelism());
        return new Measurement(r, phase, repetition, r.seconds());
    }

    /** Runs one workload on one system in a new JVM with this one's flags and classpath, timing the whole process. */
    static Measurement cold(String system, Workload w, long records, long keys, int parallelism, int repetition)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ColdRun.class.getName());
        command.add(system);
        command.add(w.name());
        command.add(String.valueOf(records));
        command.add(String.valueOf(keys));
        command.add(String.valueOf(parallelism));
        Path errors = Files.createTempFile("riffle-cold", ".log");
        try {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectError(errors.toFile()).start();
            byte[] stdout = p.getInputStream().readAllBytes();
            int exit = p.waitFor();
            double seconds = (System.nanoTime() - start) / 1e9;
            String[] lines = new String(stdout, StandardCharsets.UTF_8).split("\n");
            String last = lines[lines.length - 1];
            if (exit != 0 || !last.startsWith("{")) {
                String err = Files.readString(errors, StandardCharsets.UTF_8);
                throw new IllegalStateException("the cold run of " + w + " on " + system + " exited with " + exit
                        + "; its stderr ends: " + err.substring(Math.max(0, err.length() - 2000)));
            }
            return new Measurement(Run.fromJson(last), Measurement.Phase.COLD, repetition, seconds);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /** Riffle, the plain-Java L1 floor, and every {@link Contender} service on the classpath. */
    static List<Contender> available() {
        List<Contender> all = new ArrayList<>();
        all.add(new RiffleWorkloads());
        all.add(new JavaLoopLatency());
        ServiceLoader.load(Contender.class).forEach(all::add);
        return all;
    }

    static Contender contender(String name) {
        for (Contender c : available()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no system named '" + name + "' on the classpath; there are " + names(available()));
    }

    /** The systems named (Riffle always: the others are compared with it), or every one when none is named. */
    static List<Contender> selected(List<String> names) {
        List<Contender> all = available();
        if (names.isEmpty()) {
            return all;
        }
        List<Contender> out = new ArrayList<>();
        out.add(all.get(0));
        for (String name : names) {
            if (!name.equals("riffle")) {
                out.add(contender(name));
            }
        }
        return out;
    }

    private static List<String> names(List<Contender> contenders) {
        List<String> names = new ArrayList<>();
        for (Contender c : contenders) {
            names.add(c.name());
        }
        return names;
    }

    /** The short hash of the checked-out commit, or "unknown" outside a git work tree. */
    public static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && !out.isEmpty() ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
