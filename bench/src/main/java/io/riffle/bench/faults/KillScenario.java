package io.riffle.bench.faults;

import java.util.Random;

/**
 * {@code kill -9} one to four times at random moments, then a run to the end: each run after the first
 * restores ({@code --from}) the newest checkpoint, and half of those are killed within their first second,
 * while the JVM starts and restores. A batch job (no checkpoints) starts over each time.
 */
final class KillScenario implements Scenario {
    /** A JVM that restarts starts and restores within about this long: a kill inside it hits a restore. */
    private static final long RESTORE_WINDOW_MILLIS = 1_000;

    @Override
    public void run(Trial trial, Random random) throws Exception {
        boolean checkpoints = trial.job().checkpoints();
        if (checkpoints) {
            trial.checkpointEvery(Scenario.between(random, 20, 300));
        }
        double seconds = trial.pacedSeconds(random);
        long rate = trial.rateFor(seconds);
        // A job the generator cannot pace runs about as long as its reference run.
        long runMillis = rate > 0 ? (long) (seconds * 1000) : trial.referenceMillis;
        int kills = 1 + random.nextInt(4);
        for (int k = 1; k <= kills; k++) {
            boolean restore = checkpoints && k > 1;
            boolean duringRestore = restore && random.nextBoolean();
            long delay = duringRestore ? Scenario.between(random, 0, RESTORE_WINDOW_MILLIS)
                    : Scenario.between(random, 50, runMillis * 9 / 10);
            ChildRun run = trial.start(restore ? "restore-killed" : "killed", trial.arguments(restore, rate, 0));
            RunRecord record = trial.add(run.killAfter(delay));
            if (record.ending() == RunRecord.Ending.KILLED) {
                trial.injected("kill -9 after " + delay + " ms" + (duringRestore ? ", during its restore" : ""));
            } else if (record.exitedCleanly()) {
                trial.note("run " + k + " completed before its kill after " + delay + " ms");
                return;
            }
        }
        trial.runToEnd(checkpoints ? "restore" : "rerun", trial.arguments(checkpoints, 0, 0), 0);
    }
}
