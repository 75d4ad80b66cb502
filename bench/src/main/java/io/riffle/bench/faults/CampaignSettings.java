package io.riffle.bench.faults;

import java.util.List;

/**
 * What a campaign draws its trials from and how it judges them.
 *
 * @param scale         multiplies the jobs' record and key counts (1: the sizes in {@link JobSpec#draw})
 * @param raceKeys      records and keys of the restore race's job: its state file must take a while to read
 * @param pacedSeconds  paced runs (those killed midway) take between this and twice this long
 * @param hangMinMillis a run that goes on by itself for longer than this and {@code hangFactor} times its
 *                      reference run has hung
 * @param keepAll       keep every trial's directory, not only those of trials that went wrong
 */
record CampaignSettings(List<Fault> faults, List<String> jobs, double scale, int raceKeys, double pacedSeconds,
                        long hangMinMillis, double hangFactor, boolean keepAll) {
    CampaignSettings {
        faults = List.copyOf(faults);
        jobs = List.copyOf(jobs);
        for (String j : jobs) {
            if (!JobSpec.JOBS.contains(j)) {
                throw new IllegalArgumentException("the campaign knows no job '" + j + "'; it runs "
                        + String.join(", ", JobSpec.JOBS));
            }
        }
        for (Fault f : faults) {
            if (TrialPlan.jobsFor(f, jobs).isEmpty()) {
                throw new IllegalArgumentException(f + " needs a job that checkpoints (" + String.join(", ",
                        JobSpec.CHECKPOINTING) + "), and --jobs has none: " + String.join(", ", jobs));
            }
        }
    }

    /** The plan of trial {@code number} with {@code seed}. */
    TrialPlan plan(int number, long seed) {
        return TrialPlan.draw(number, seed, faults, jobs, scale, raceKeys);
    }
}
