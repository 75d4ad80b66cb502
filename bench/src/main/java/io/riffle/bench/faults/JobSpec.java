package io.riffle.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * One built-in CLI job with its parameters: what a trial runs and what its reference run runs. Keyed-sum's
 * keys are a multiple of its parallelism, so that each key comes from one source subtask and its running
 * sums are the same in every run.
 *
 * @param windowMs window-sum's window size; 0 for the other jobs
 */
record JobSpec(String job, long records, int keys, int parallelism, long windowMs) {
    /** The jobs that take {@code --checkpoint-dir}; the others are batch jobs and restart from the start. */
    static final Set<String> CHECKPOINTING = Set.of("keyed-sum", "window-sum");
    /** The jobs whose generator {@code --rate} paces. */
    private static final Set<String> PACEABLE = Set.of("keyed-sum", "window-sum");
    static final List<String> JOBS = List.of("keyed-sum", "window-sum", "wordcount");
    /** A window longer than any run's event time (record i has timestamp i ms). */
    private static final long WHOLE_RUN_WINDOW_MS = 1L << 40;

    boolean checkpoints() {
        return CHECKPOINTING.contains(job);
    }

    boolean paceable() {
        return PACEABLE.contains(job);
    }

    /** {@code run <job> ...} with this job's parameters; the caller adds checkpoint, output and fault options. */
    List<String> runArguments() {
        List<String> args = new ArrayList<>(List.of("run", job, "--records", Long.toString(records), "--keys",
                Integer.toString(keys), "--parallelism", Integer.toString(parallelism)));
        if (windowMs > 0) {
            args.addAll(List.of("--window-ms", Long.toString(windowMs)));
        }
        return args;
    }

    @Override
    public String toString() {
        return job + " " + records + " records, " + keys + " keys, p " + parallelism
                + (windowMs == WHOLE_RUN_WINDOW_MS ? ", one window" : windowMs > 0 ? ", " + windowMs + " ms windows" : "");
    }

    /**
     * A job of {@code job}'s kind for {@code fault}, its sizes drawn from a short menu (so that trials share
     * reference runs) and scaled by {@code scale}. A full disk needs state worth filling it with: 100,000 keys;
     * a restore race needs a state file that takes a while to read: {@code raceKeys} keys for keyed-sum, a
     * quarter of them for window-sum (slower per key).
     */
    static JobSpec draw(Random random, String job, Fault fault, double scale, int raceKeys) {
        int parallelism = 1 + random.nextInt(2);
        return switch (job) {
            case "keyed-sum" -> {
                if (fault == Fault.RESTORE_RACE) {
                    yield new JobSpec(job, raceKeys, even(raceKeys), 2, 0);
                }
                int keys = fault == Fault.FULL_DISK ? 100_000 : pick(random, 1_000, 100_000);
                yield new JobSpec(job, scaled(pick(random, 300_000, 600_000), scale), even(scaled(keys, scale)),
                        parallelism, 0);
            }
            case "window-sum" -> {
                // One window over the whole run holds a sum per key: state as large as the keys.
                if (fault == Fault.RESTORE_RACE) {
                    yield new JobSpec(job, raceKeys / 4, even(raceKeys / 4), 2, WHOLE_RUN_WINDOW_MS);
                }
                if (fault == Fault.FULL_DISK) {
                    yield new JobSpec(job, scaled(pick(random, 300_000, 600_000), scale), even(scaled(100_000, scale)),
                            parallelism, WHOLE_RUN_WINDOW_MS);
                }
                yield new JobSpec(job, scaled(pick(random, 300_000, 600_000), scale),
                        even(scaled(pick(random, 100, 1_000), scale)), parallelism, 10_000);
            }
            case "wordcount" -> new JobSpec(job, scaled(pick(random, 500_000, 1_000_000), scale),
                    Math.max(10, scaled(pick(random, 1_000, 20_000), scale)), parallelism, 0);
            default -> throw new IllegalArgumentException("the campaign knows no job '" + job + "'");
        };
    }

    private static int pick(Random random, int a, int b) {
        return random.nextBoolean() ? a : b;
    }

    private static int scaled(int n, double scale) {
        return (int) Math.max(2, Math.round(n * scale));
    }

    /** {@code n} rounded up to a multiple of 2, the largest parallelism drawn. */
    private static int even(int n) {
        return n + (n & 1);
    }
}
