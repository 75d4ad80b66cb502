package io.riffle.bench.faults;

import java.util.Random;

/**
 * An operator (the keyed or grouping one) throws once after a random number of records
 * ({@code --fail-after N}); the job must restart by itself, from its newest checkpoint or from the start,
 * and end as if nothing had happened. Half the runs are paced, so that more checkpoints come before the
 * failure.
 */
final class TaskFailureScenario implements Scenario {
    @Override
    public void run(Trial trial, Random random) throws Exception {
        if (trial.job().checkpoints()) {
            trial.checkpointEvery(Scenario.between(random, 10, 300));
        }
        long failAfter = Scenario.between(random, 1, trial.job().records() - 1);
        double seconds = trial.pacedSeconds(random);
        long rate = random.nextBoolean() ? trial.rateFor(seconds) : 0;
        trial.injected("--fail-after " + failAfter + (rate > 0 ? ", paced to " + rate + " records/s" : ""));
        trial.runToEnd("fail-after", trial.arguments(false, rate, failAfter), rate > 0 ? (long) (seconds * 1000) : 0);
    }
}
