package io.riffle.bench.faults;

import java.util.Random;

/**
 * Injects one kind of fault into a trial: runs the trial's job (through {@link Trial}), breaks something at
 * the right moment, and ends with a run whose output the trial is judged by. Every choice it makes comes
 * from {@code random}, seeded by the trial, and is noted in the trial.
 */
interface Scenario {
    void run(Trial trial, Random random) throws Exception;

    /**
     * Runs the job paced (to {@link Trial#pacedSeconds}), fresh, until {@code count} checkpoints completed and
     * {@code fraction} of its paced time went by, then {@code kill -9}: a crashed job with checkpoints to
     * restore from. Returns false (and notes why) when the job ended before, or hung, so there is nothing to
     * break.
     */
    static boolean runUntilCheckpoints(Trial trial, int count, double fraction, Random random) throws Exception {
        double seconds = trial.pacedSeconds(random);
        ChildRun run = trial.start("until-" + count + "-checkpoints", trial.arguments(false, trial.rateFor(seconds), 0));
        boolean reached = trial.awaitCheckpoints(run, 0, count);
        // Not reached: the run ended by itself, or it has run for the hang limit without those checkpoints.
        RunRecord record = trial.add(!reached ? run.awaitEnd(trial.hangLimitMillis)
                : run.killAfter(Math.max(0, (long) (fraction * seconds * 1000) - run.elapsedMillis())));
        if (record.ending() != RunRecord.Ending.KILLED) {
            trial.note("the job ended before " + count + " checkpoints completed: fault not injected");
            return false;
        }
        trial.note("kill -9 after " + record.millis() + " ms, " + trial.completeCheckpoints(0) + " checkpoints complete");
        return true;
    }

    /** A uniform draw from {@code [low, high]}; {@code low} when {@code high} is below it. */
    static long between(Random random, long low, long high) {
        return high <= low ? low : low + (long) (random.nextDouble() * (high - low + 1));
    }
}
