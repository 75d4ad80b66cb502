package io.riffle.bench.faults;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import io.riffle.bench.BenchRunner;
import io.riffle.bench.Machine;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault campaign: N randomized trials, each a real CLI job in child JVMs with one fault injected
 * ({@link Fault}), judged against a failure-free run of the same job ({@link Outcome}); prints the table of
 * outcomes per fault kind and writes it with every trial as {@code summary.md} and {@code results.json}.
 * Exits 1 when a trial ended in wrong output, a crash or a hang. Every trial has a seed of its own, drawn
 * from the campaign's, and repeats from it alone.
 *
 * <pre>{@code
 * bin/riffle-faults --trials 100
 * bin/riffle-faults --trial-seed 5f1c0e2a9b3d4c7e     (one trial again)
 * }</pre>
 */
@Command(name = "riffle-faults", mixinStandardHelpOptions = true,
        description = "Runs Riffle jobs with faults injected and tells whether each recovered.")
public final class FaultCampaign implements Callable<Integer> {
    @Option(names = "--trials", paramLabel = "N", description = "trials to run (default: ${DEFAULT-VALUE})")
    int trials = 20;

    @Option(names = "--seed", paramLabel = "HEX", description = "the campaign's seed (default: a random one, printed)")
    String seed;

    @Option(names = "--trial-seed", paramLabel = "HEX", description = "run the one trial with this seed")
    String trialSeed;

    @Option(names = "--faults", split = ",", paramLabel = "FAULT", description = "fault kinds to draw from: ${COMPLETION-CANDIDATES} (default: all)")
    List<Fault> faults = List.of(Fault.values());

    @Option(names = "--jobs", split = ",", paramLabel = "JOB", description = "jobs to draw from (default: keyed-sum, window-sum, wordcount)")
    List<String> jobs = JobSpec.JOBS;

    @Option(names = "--scale", paramLabel = "X", description = "multiply the jobs' records and keys (default: ${DEFAULT-VALUE})")
    double scale = 1;

    @Option(names = "--race-keys", paramLabel = "K", description = "records and keys of the restore race's job (default: ${DEFAULT-VALUE})")
    int raceKeys = 1_000_000;

    @Option(names = "--paced-seconds", paramLabel = "S", description = "runs killed midway are paced to S to 2S seconds (default: ${DEFAULT-VALUE})")
    double pacedSeconds = 2;

    @Option(names = "--hang-seconds", paramLabel = "S", description = "a run that goes on by itself longer than S seconds and 10 times its reference run has hung (default: ${DEFAULT-VALUE})")
    long hangSeconds = 120;

    @Option(names = "--scratch", paramLabel = "DIR", description = "where trials run (default: a new directory in the temporary directory)")
    Path scratch;

    @Option(names = "--out", paramLabel = "DIR", description = "where summary.md and results.json go (default: bench-results/<date>-<commit>-faults)")
    Path out;

    @Option(names = "--keep-all", description = "keep every trial's directory (default: only those of trials that went wrong)")
    boolean keepAll;

    @Option(names = "--java-option", paramLabel = "FLAG", description = "one more flag for the child JVMs (repeatable)")
    List<String> javaOptions = new ArrayList<>();

    private static final double HANG_FACTOR = 10;

    private final String command;
    private final PrintStream log;

    FaultCampaign(String command, PrintStream log) {
        this.command = command;
        this.log = log;
    }

    public static void main(String[] args) {
        FaultCampaign campaign = new FaultCampaign("bin/riffle-faults " + String.join(" ", args), System.err);
        System.exit(new CommandLine(campaign).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (trials < 1 || scale <= 0 || raceKeys < 2 || pacedSeconds <= 0 || hangSeconds < 1) {
            log.println("--trials, --scale, --paced-seconds and --hang-seconds must be positive, --race-keys at least 2");
            return 2;
        }
        CampaignSettings settings;
        try {
            settings = new CampaignSettings(faults, jobs, scale, raceKeys, pacedSeconds, hangSeconds * 1000,
                    HANG_FACTOR, keepAll);
        } catch (IllegalArgumentException e) {
            log.println(e.getMessage());
            return 2;
        }
        Long campaignSeed = seed != null ? parseSeed("--seed", seed) : Long.valueOf(ThreadLocalRandom.current().nextLong());
        Long oneTrial = trialSeed != null ? parseSeed("--trial-seed", trialSeed) : null;
        if (campaignSeed == null || trialSeed != null && oneTrial == null) {
            return 2;
        }
        List<TrialPlan> plans = new ArrayList<>();
        if (oneTrial != null) {
            plans.add(settings.plan(1, oneTrial));
        }
        if (plans.isEmpty()) {
            Random seeds = new Random(campaignSeed);
            for (int i = 1; i <= trials; i++) {
                plans.add(settings.plan(i, seeds.nextLong()));
            }
        }
        Path root = scratch != null ? Files.createDirectories(scratch) : Files.createTempDirectory("riffle-faults-");
        String commit = BenchRunner.gitCommit();
        String date = LocalDate.now(ZoneOffset.UTC).toString();
        Path dir = out != null ? out : Path.of("bench-results", date + "-" + commit + "-faults");
        log.printf("fault campaign: %d trials, seed %s, trials in %s%n", plans.size(), Long.toHexString(campaignSeed), root);
        TrialRunner runner = new TrialRunner(new ChildJvm(System.getProperty("java.class.path"), javaOptions), root,
                settings);
        Machine machine = Machine.current();
        List<TrialResult> results = new ArrayList<>();
        long start = System.nanoTime();
        CampaignReport report = null;
        for (TrialPlan plan : plans) {
            log.printf("trial %d/%d seed %s: %s into %s%n", plan.number(), plans.size(), plan.seedHex(), plan.fault(),
                    plan.job());
            TrialResult result = runner.run(plan);
            results.add(result);
            log.println(result.summary());
            for (String note : result.notes()) {
                log.println("    " + note);
            }
            if (result.kept() != null) {
                log.println("    kept: " + result.kept());
            }
            // Written after every trial, so that a campaign cut short keeps what it found.
            report = new CampaignReport(commit, date, command, machine, campaignSeed, results,
                    (System.nanoTime() - start) / 1_000_000);
            report.write(dir);
        }
        deleteIfEmpty(root);
        System.out.print(report.table());
        log.println("results: " + dir.resolve("summary.md") + ", " + dir.resolve("results.json"));
        return report.failures() > 0 ? 1 : 0;
    }

    /** A seed as printed: hexadecimal, with or without 0x; null (and said why) when it is not one. */
    private Long parseSeed(String option, String hex) {
        try {
            return Long.parseUnsignedLong(hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex, 16);
        } catch (NumberFormatException e) {
            log.println(option + " takes up to 16 hexadecimal digits, as the campaign prints seeds; not '" + hex + "'");
            return null;
        }
    }

    private static void deleteIfEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        }
    }
}
