package io.riffle.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a bench run measured, and its figures: per workload and system the warm and cold medians and ranges
 * (records per second), whether every run's result checksum agreed with Riffle's, Riffle's ratio to each
 * baseline against the brief's target, and the L1 latencies. Written as {@code results.json} (every run
 * and every figure) and {@code summary.md} (the tables, linking the plots).
 */
public final class Report {
    /** The brief's latency target: p99 under 50 us at 1 M records/s. */
    static final long L1_P99_TARGET_NANOS = 50_000;

    /** One system's figures on one workload. */
    public record Figures(Workload workload, String system, Stats warm, Stats cold, boolean checksumsAgree) {
    }

    /**
     * Riffle against one baseline on one workload: warm and cold ratios of the medians, the brief's target
     * for the pair (NaN: none), and whether the comparison stands (every run of both agreed on the result).
     */
    public record Comparison(Workload workload, String baseline, double warmRatio, double coldRatio,
                             boolean checksumsAgree, double target) {
        /** "met", "NOT met", "failed" (checksums disagree) or "" (no target for the pair). */
        public String verdict() {
            if (!checksumsAgree) {
                return "failed";
            }
            if (Double.isNaN(target)) {
                return "";
            }
            return warmRatio >= target ? "met" : "NOT met";
        }
    }

    private final Settings settings;
    private final Machine machine;
    private final String commit;
    private final String date;
    private final List<Measurement> measurements;
    private final List<LatencyRun> latency;
    private final List<String> failures;

    public Report(Settings settings, Machine machine, String commit, String date, List<Measurement> measurements,
                  List<LatencyRun> latency, List<String> failures) {
        this.settings = settings;
        this.machine = machine;
        this.commit = commit;
        this.date = date;
        this.measurements = List.copyOf(measurements);
        this.latency = List.copyOf(latency);
        this.failures = List.copyOf(failures);
    }

    public List<Measurement> measurements() {
        return measurements;
    }

    public List<LatencyRun> latency() {
        return latency;
    }

    /** The brief's ratio Riffle must reach against {@code baseline} on {@code workload}; NaN where it sets none. */
    public static double target(Workload workload, String baseline) {
        if (!workload.isBatch()) {
            return baseline.equals("flink") ? 20 : Double.NaN;
        }
        return switch (baseline) {
            case "spark" -> 3;
            case "hadoop" -> 50;
            default -> Double.NaN;
        };
    }

    /** The systems measured on {@code workload}, Riffle first, in the order they ran. */
    public List<String> systems(Workload workload) {
        Set<String> names = new LinkedHashSet<>();
        for (Measurement m : measurements) {
            if (m.run().workload() == workload) {
                names.add(m.run().system());
            }
        }
        return new ArrayList<>(names);
    }

    public Figures figures(Workload workload, String system) {
        Run reference = reference(workload);
        boolean agree = reference != null;
        List<Double> warm = new ArrayList<>();
        List<Double> cold = new ArrayList<>();
        for (Measurement m : measurements) {
            Run r = m.run();
            if (r.workload() != workload || !r.system().equals(system)) {
                continue;
            }
            agree &= reference != null && r.checksum() == reference.checksum() && r.rows() == reference.rows();
            switch (m.phase()) {
                case WARM -> warm.add(m.recordsPerSecond());
                case COLD -> cold.add(m.recordsPerSecond());
                default -> {
                }
            }
        }
        return new Figures(workload, system, Stats.of(toArray(warm)), Stats.of(toArray(cold)), agree);
    }

    /** Riffle against every other system measured on {@code workload}. */
    public List<Comparison> comparisons(Workload workload) {
        List<Comparison> out = new ArrayList<>();
        Figures riffle = figures(workload, "riffle");
        for (String system : systems(workload)) {
            if (system.equals("riffle")) {
                continue;
            }
            Figures f = figures(workload, system);
            out.add(new Comparison(workload, system, riffle.warm().median() / f.warm().median(),
                    riffle.cold().median() / f.cold().median(), riffle.checksumsAgree() && f.checksumsAgree(),
                    target(workload, system)));
        }
        return out;
    }

    /** Riffle's first run of {@code workload}: the result every other run must match; null if Riffle did not run it. */
    private Run reference(Workload workload) {
        for (Measurement m : measurements) {
            if (m.run().workload() == workload && m.run().system().equals("riffle")) {
                return m.run();
            }
        }
        return null;
    }

    /** Writes results.json, summary.md and the plots into {@code dir} (created if missing). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), json(), StandardCharsets.UTF_8);
        List<String> plots = Plots.write(this, settings.workloads(), dir);
        Files.writeString(dir.resolve("summary.md"), markdown(plots), StandardCharsets.UTF_8);
    }

    String json() {
        StringBuilder sb = new StringBuilder();
        sb.append("{\n  \"commit\": \"").append(Json.escape(commit)).append("\",\n  \"date\": \"").append(Json.escape(date))
                .append("\",\n");
        sb.append(String.format(Locale.ROOT, "  \"machine\": {\"cpu\": \"%s\", \"cores\": %d, \"memory_bytes\": %d,"
                        + " \"os\": \"%s\", \"jvm\": \"%s\"},\n", Json.escape(machine.cpu()), machine.cores(),
                machine.memoryBytes(), Json.escape(machine.os()), Json.escape(machine.jvm())));
        sb.append(String.format(Locale.ROOT, "  \"settings\": {\"keys\": %d, \"parallelism\": %d, \"repetitions\": %d,"
                + " \"warmup_seconds\": %s, \"cold_runs\": %d},\n", settings.keys(), settings.parallelism(),
                settings.repetitions(), settings.warmupSeconds(), settings.coldRuns()));
        sb.append("  \"runs\": [");
        for (int i = 0; i < measurements.size(); i++) {
            sb.append(i == 0 ? "\n    " : ",\n    ").append(measurements.get(i).toJson());
        }
        sb.append("\n  ],\n  \"figures\": [");
        String sep = "\n    ";
        for (Workload w : settings.workloads()) {
            for (String system : systems(w)) {
                Figures f = figures(w, system);
                sb.append(sep).append(String.format(Locale.ROOT, "{\"workload\":\"%s\",\"system\":\"%s\",\"records\":%d,"
                                + "\"warm\":%s,\"cold\":%s,\"checksums_agree\":%b}", w, Json.escape(system),
                        settings.records(w), statsJson(f.warm()), statsJson(f.cold()), f.checksumsAgree()));
                sep = ",\n    ";
            }
        }
        sb.append("\n  ],\n  \"comparisons\": [");
        sep = "\n    ";
        for (Workload w : settings.workloads()) {
            for (Comparison c : comparisons(w)) {
                sb.append(sep).append(String.format(Locale.ROOT, "{\"workload\":\"%s\",\"baseline\":\"%s\","
                                + "\"warm_ratio\":%s,\"cold_ratio\":%s,\"checksums_agree\":%b,\"target\":%s,\"verdict\":\"%s\"}",
                        w, Json.escape(c.baseline()), number(c.warmRatio()), number(c.coldRatio()), c.checksumsAgree(),
                        number(c.target()), c.verdict()));
                sep = ",\n    ";
            }
        }
        sb.append("\n  ],\n  \"latency\": [");
        for (int i = 0; i < latency.size(); i++) {
            sb.append(i == 0 ? "\n    " : ",\n    ").append(latency.get(i).toJson());
        }
        sb.append("\n  ],\n  \"failures\": [");
        for (int i = 0; i < failures.size(); i++) {
            sb.append(i == 0 ? "\n    \"" : ",\n    \"").append(Json.escape(failures.get(i))).append('"');
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static String statsJson(Stats s) {
        return String.format(Locale.ROOT, "{\"count\":%d,\"median\":%s,\"min\":%s,\"max\":%s}", s.count(),
                number(s.median()), number(s.min()), number(s.max()));
    }

    /** A JSON number, or null for NaN (no figure). */
    private static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
    }

    String markdown(List<String> plots) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Bench run ").append(date).append(" at ").append(commit).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Machine: %s, %d cores, %.1f GiB; %s; %s.%n%n", machine.cpu(),
                machine.cores(), machine.memoryBytes() / (double) (1L << 30), machine.os(), machine.jvm()));
        sb.append(String.format(Locale.ROOT, "K = %d keys, parallelism %d; per system %d warm repetitions in one"
                        + " process (interleaved across systems) after warm-up runs adding up to at least %s s (at least"
                        + " one), and cold runs: %d (each a whole process: JVM start, the system's start-up, the job)."
                        + " Figures are records per second; ratios are Riffle's median over the baseline's. Every run's result checksum is compared with Riffle's;"
                        + " a comparison whose checksums disagree is marked failed.%n%n",
                settings.keys(), settings.parallelism(), settings.repetitions(), settings.warmupSeconds(),
                settings.coldRuns()));
        sb.append("| Workload | N | System | Warm median | Warm min - max | Cold median | Cold min - max | Checksum |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---|\n");
        for (Workload w : settings.workloads()) {
            for (String system : systems(w)) {
                Figures f = figures(w, system);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", w,
                        count(settings.records(w)), system, rate(f.warm().median()), range(f.warm()),
                        rate(f.cold().median()), range(f.cold()), f.checksumsAgree() ? "agrees" : "**FAILED**"));
            }
        }
        boolean header = false;
        for (Workload w : settings.workloads()) {
            for (Comparison c : comparisons(w)) {
                if (!header) {
                    sb.append("\n| Workload | Riffle vs | Warm ratio | Cold ratio | Target | Verdict |\n|---|---|---:|---:|---:|---|\n");
                    header = true;
                }
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", w, c.baseline(),
                        ratio(c.warmRatio()), ratio(c.coldRatio()),
                        Double.isNaN(c.target()) ? "-" : String.format(Locale.ROOT, ">= %.0fx", c.target()),
                        c.verdict().isEmpty() ? "-" : c.verdict()));
            }
        }
        if (!latency.isEmpty()) {
            sb.append("\nL1 latency: a keyed running sum of value keeping each record's scheduled time (a reduce)"
                    + " from a paced source, a checkpoint every ")
                    .append(settings.latency().checkpointInterval().toMillis())
                    .append(" ms; each record's latency counts from when the pacing scheduled it to when the sink saw"
                            + " its result (coordinated omission included), after a warm-up of ")
                    .append(count(settings.latency().warmupRecords())).append(" records.\n\n");
            sb.append("| System | Variant | Rate | Achieved | Records | Checkpoints | p50 | p99 | p99.9 | max | p99 < 50 us |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
            for (LatencyRun l : latency) {
                sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s |%n",
                        l.system(), l.variant(), rate(l.recordsPerSecond()), rate(l.achievedRecordsPerSecond()),
                        count(l.measuredRecords()), l.checkpoints(), micros(l.p50Nanos()), micros(l.p99Nanos()),
                        micros(l.p999Nanos()), micros(l.maxNanos()), l.p99Nanos() < L1_P99_TARGET_NANOS ? "yes" : "no"));
            }
        }
        if (!failures.isEmpty()) {
            sb.append("\nFailed runs (no figures):\n\n");
            for (String f : failures) {
                sb.append("- ").append(f).append('\n');
            }
        }
        if (!plots.isEmpty()) {
            sb.append("\nPlots:");
            for (String p : plots) {
                sb.append(" [").append(p).append("](").append(p).append(')');
            }
            sb.append("\n");
        }
        return sb.toString();
    }

    private static String rate(double perSecond) {
        if (Double.isNaN(perSecond)) {
            return "-";
        }
        return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.2f M/s", perSecond / 1e6)
                : String.format(Locale.ROOT, "%.1f k/s", perSecond / 1e3);
    }

    private static String range(Stats s) {
        return s.count() == 0 ? "-" : rate(s.min()) + " - " + rate(s.max());
    }

    private static String ratio(double r) {
        return Double.isNaN(r) || Double.isInfinite(r) ? "-" : String.format(Locale.ROOT, "%.1fx", r);
    }

    private static String count(long n) {
        if (n >= 1_000_000 && n % 100_000 == 0) {
            return String.format(Locale.ROOT, "%.1f M", n / 1e6).replace(".0 M", " M");
        }
        return String.valueOf(n);
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }

    private static double[] toArray(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
