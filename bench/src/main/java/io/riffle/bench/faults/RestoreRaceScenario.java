package io.riffle.bench.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A job crashes ({@code kill -9}) after two checkpoints, then restores ({@code --from}) while a
 * {@link FileRacer} truncates and regrows the newest checkpoint's largest state file: the restore reads a
 * file that shrinks under it. The job must fall back or fail with a clear error; the JVM must not die.
 */
final class RestoreRaceScenario implements Scenario {
    @Override
    public void run(Trial trial, Random random) throws Exception {
        trial.checkpointEvery(Scenario.between(random, 100, 400));
        // Late in the run, so that the state file is large and its restore takes a while.
        if (!Scenario.runUntilCheckpoints(trial, 2, 0.8, random)) {
            return;
        }
        Path checkpoint = trial.newestCheckpoint();
        Path file = null;
        long size = -1;
        for (Path f : CheckpointDamage.stateFiles(checkpoint)) {
            if (Files.size(f) > size) {
                file = f;
                size = Files.size(f);
            }
        }
        if (file == null) {
            throw new IllegalStateException(checkpoint + " has no state file to race on");
        }
        FileRacer racer = FileRacer.start(file, random.nextLong());
        try (racer) {
            trial.runToEnd("restore-raced", trial.arguments(true, 0, 0), 0);
        }
        trial.injected("raced on " + checkpoint.getFileName() + "/" + file.getFileName() + " (" + size
                + " bytes): cut short and regrown " + racer.cycles() + " times during the restore run");
    }
}
