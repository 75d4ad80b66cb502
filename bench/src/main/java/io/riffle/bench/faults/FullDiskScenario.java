package io.riffle.bench.faults;

import java.util.Random;

/**
 * The checkpoint directory on a disk of 16 KiB to 4 MiB ({@link SmallDisk}), too small for some or all of
 * the job's checkpoints: each checkpoint that does not fit must be declined at once and cleaned up, the job
 * going on. Half the trials run to the end; the other half are killed midway and restored ({@code --from})
 * from whatever checkpoint fitted.
 */
final class FullDiskScenario implements Scenario {
    private static final long MIN_BYTES = 16 << 10;
    private static final long MAX_BYTES = 4 << 20;
    private static final long PAGE = 4096;

    @Override
    public void run(Trial trial, Random random) throws Exception {
        trial.checkpointEvery(Scenario.between(random, 20, 200));
        // Log-uniform, so that disks too small for one checkpoint are as likely as disks for a few.
        long bytes = (long) (MIN_BYTES * Math.pow((double) MAX_BYTES / MIN_BYTES, random.nextDouble())) / PAGE * PAGE;
        double seconds = trial.pacedSeconds(random);
        long rate = trial.rateFor(seconds);
        boolean kill = random.nextBoolean();
        try (SmallDisk disk = SmallDisk.mount(trial.checkpoints, bytes)) {
            if (disk.mounted()) {
                trial.injected("checkpoints on a tmpfs of " + bytes / 1024 + " KiB");
            } else {
                trial.limitFileSize(bytes / 1024);
                trial.injected("files limited to " + bytes / 1024 + " KiB (ulimit -f; no tmpfs: " + disk.refusal() + ")");
            }
            long pacedMillis = (long) (seconds * 1000);
            if (!kill) {
                trial.runToEnd("full-disk", trial.arguments(false, rate, 0), pacedMillis);
                return;
            }
            long delay = Scenario.between(random, 300, pacedMillis * 9 / 10);
            RunRecord first = trial.add(trial.start("full-disk-killed", trial.arguments(false, rate, 0)).killAfter(delay));
            trial.note("kill -9 after " + delay + " ms");
            if (!first.exitedCleanly()) {
                trial.runToEnd("restore", trial.arguments(true, 0, 0), 0);
            }
        }
    }
}
