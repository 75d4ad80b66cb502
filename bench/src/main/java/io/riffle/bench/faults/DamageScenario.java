package io.riffle.bench.faults;

import java.util.Random;

/**
 * A job crashes ({@code kill -9}) after one to three checkpoints, then one file of its newest checkpoint is
 * damaged ({@link CheckpointDamage}) and the job restores ({@code --from}): it must restore an older
 * checkpoint without doubling the output the damaged one had committed, or refuse with a clear error.
 */
final class DamageScenario implements Scenario {
    @Override
    public void run(Trial trial, Random random) throws Exception {
        trial.checkpointEvery(Scenario.between(random, 20, 200));
        if (!Scenario.runUntilCheckpoints(trial, 1 + random.nextInt(3), 0.8 * random.nextDouble(), random)) {
            return;
        }
        CheckpointDamage[] damages = CheckpointDamage.values();
        CheckpointDamage damage = damages[random.nextInt(damages.length)];
        trial.injected(damage.apply(trial.newestCheckpoint(), random));
        trial.runToEnd("restore", trial.arguments(true, 0, 0), 0);
    }
}
