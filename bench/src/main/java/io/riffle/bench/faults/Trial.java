package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * One trial's directories and runs, for its scenario: {@code checkpoints/}, {@code output/} and the canary
 * files beside them; starts the CLI runs of the trial's job with the right options and keeps how each
 * ended. The last run is the one the trial is judged by.
 */
final class Trial {
    /** How often the campaign looks at the checkpoint directory while it waits for checkpoints. */
    private static final long POLL_NANOS = 5_000_000;
    private static final String CHECKPOINT = "chk-";

    final TrialPlan plan;
    final Path dir;
    final Path checkpoints;
    final Path output;
    final Canary canary;
    /** A run that goes on by itself longer than this has hung. */
    final long hangLimitMillis;
    /** How long the job's failure-free reference run took, JVM start included. */
    final long referenceMillis;
    /** Paced runs take between this and twice this long. */
    private final double pacedSeconds;
    private final ChildJvm jvm;
    private final List<RunRecord> runs = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long intervalMillis = 100;
    private long fileSizeLimitKb;
    private int started;
    private boolean injected;

    Trial(TrialPlan plan, Path dir, ChildJvm jvm, long hangLimitMillis, long referenceMillis, double pacedSeconds)
            throws IOException {
        this.plan = plan;
        this.dir = dir;
        this.checkpoints = dir.resolve("checkpoints");
        this.output = dir.resolve("output");
        this.jvm = jvm;
        this.hangLimitMillis = hangLimitMillis;
        this.referenceMillis = referenceMillis;
        this.pacedSeconds = pacedSeconds;
        Files.createDirectories(checkpoints);
        this.canary = Canary.plant(dir.resolve("canary"), plan.seed());
    }

    JobSpec job() {
        return plan.job();
    }

    /** The checkpoint interval of this trial's runs. */
    void checkpointEvery(long millis) {
        intervalMillis = millis;
        note("checkpoint every " + millis + " ms");
    }

    /** Runs from now on cannot write a file beyond {@code kb} KiB ({@code ulimit -f}). */
    void limitFileSize(long kb) {
        fileSizeLimitKb = kb;
    }

    /** A parameter drawn or a thing done, for the trial's report. */
    void note(String note) {
        notes.add(note);
    }

    /** The fault is in place: {@code what} says what it was. */
    void injected(String what) {
        injected = true;
        note(what);
    }

    /**
     * The CLI options of a run: the job, its output and checkpoints, {@code --from} the checkpoint directory
     * when {@code restore}, paced to {@code rate} records a second when above 0, failing once after
     * {@code failAfter} records when above 0.
     */
    List<String> arguments(boolean restore, long rate, long failAfter) {
        List<String> args = new ArrayList<>(job().runArguments());
        args.addAll(List.of("--output", output.toString()));
        if (job().checkpoints()) {
            args.addAll(List.of("--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval",
                    Long.toString(intervalMillis)));
            if (restore) {
                args.addAll(List.of("--from", checkpoints.toString()));
            }
        }
        if (rate > 0) {
            args.addAll(List.of("--rate", Long.toString(rate)));
        }
        if (failAfter > 0) {
            args.addAll(List.of("--fail-after", Long.toString(failAfter)));
        }
        return args;
    }

    /** How long a paced run should take: drawn between the campaign's paced seconds and twice that. */
    double pacedSeconds(Random random) {
        return pacedSeconds * (1 + random.nextDouble());
    }

    /** The rate that makes the job take about {@code seconds}, or 0 for a job the generator cannot pace. */
    long rateFor(double seconds) {
        return job().paceable() ? Math.max(1, (long) (job().records() / seconds)) : 0;
    }

    ChildRun start(String what, List<String> arguments) throws IOException {
        String label = String.format("run-%d-%s", ++started, what);
        return jvm.start(dir, label, arguments, fileSizeLimitKb);
    }

    /** Starts a run and waits for it to end by itself, within {@code extraMillis} beyond the hang limit. */
    RunRecord runToEnd(String what, List<String> arguments, long extraMillis) throws IOException, InterruptedException {
        return add(start(what, arguments).awaitEnd(hangLimitMillis + extraMillis));
    }

    RunRecord add(RunRecord run) {
        runs.add(run);
        return run;
    }

    /**
     * Waits until {@code count} checkpoints numbered above {@code after} are complete, or the run ends, or
     * it has gone on for the hang limit; returns whether they completed.
     */
    boolean awaitCheckpoints(ChildRun run, long after, int count) throws IOException {
        while (run.isAlive() && run.elapsedMillis() < hangLimitMillis) {
            if (completeCheckpoints(after) >= count) {
                return true;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return completeCheckpoints(after) >= count;
    }

    /** The complete checkpoints numbered above {@code after}. */
    int completeCheckpoints(long after) throws IOException {
        int n = 0;
        for (Path c : checkpointDirectories()) {
            if (idOf(c) > after && Files.exists(c.resolve(CheckpointDamage.MANIFEST))) {
                n++;
            }
        }
        return n;
    }

    /** The newest complete checkpoint's directory, or null when there is none. */
    Path newestCheckpoint() throws IOException {
        Path newest = null;
        for (Path c : checkpointDirectories()) {
            if (Files.exists(c.resolve(CheckpointDamage.MANIFEST)) && (newest == null || idOf(c) > idOf(newest))) {
                newest = c;
            }
        }
        return newest;
    }

    /** The highest checkpoint number in the directory, complete or not; 0 when there is none. */
    long lastCheckpointId() throws IOException {
        long max = 0;
        for (Path c : checkpointDirectories()) {
            max = Math.max(max, idOf(c));
        }
        return max;
    }

    private List<Path> checkpointDirectories() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(checkpoints, CHECKPOINT + "*")) {
            for (Path d : dirs) {
                if (idOf(d) > 0) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    private static long idOf(Path dir) {
        String digits = dir.getFileName().toString().substring(CHECKPOINT.length());
        return !digits.isEmpty() && digits.length() < 19 && digits.chars().allMatch(Character::isDigit)
                ? Long.parseLong(digits) : 0;
    }

    List<RunRecord> runs() {
        return runs;
    }

    List<String> notes() {
        return notes;
    }

    boolean wasInjected() {
        return injected;
    }
}
