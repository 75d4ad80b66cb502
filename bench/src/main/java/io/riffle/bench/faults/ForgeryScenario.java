package io.riffle.bench.faults;

import java.util.Random;

/**
 * A job crashes ({@code kill -9}) after one or two checkpoints, then its newest manifest is forged
 * ({@link ManifestForgery}: valid checksum, lying content) and the job restores ({@code --from}): it must
 * neither run out of memory nor read, rename or change a file outside its directories (the canary).
 */
final class ForgeryScenario implements Scenario {
    @Override
    public void run(Trial trial, Random random) throws Exception {
        trial.checkpointEvery(Scenario.between(random, 20, 200));
        if (!Scenario.runUntilCheckpoints(trial, 1 + random.nextInt(2), 0.8 * random.nextDouble(), random)) {
            return;
        }
        ManifestForgery[] forgeries = ManifestForgery.values();
        ManifestForgery forgery = forgeries[random.nextInt(forgeries.length)];
        trial.injected(forgery.apply(trial.newestCheckpoint(),
                trial.output.resolve(trial.job().job()), trial.canary, random.nextBoolean()));
        trial.runToEnd("restore", trial.arguments(true, 0, 0), 0);
    }
}
