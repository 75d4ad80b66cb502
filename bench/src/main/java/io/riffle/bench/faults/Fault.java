package io.riffle.bench.faults;

/** The kinds of fault the campaign injects, one per trial; each has a {@link Scenario} that injects it. */
public enum Fault {
    KILL("kill -9, 1 to 4 times, some during a restore, then --from to the end", false),
    TASK_FAILURE("an operator throws once (--fail-after N)", false),
    DAMAGED_CHECKPOINT("the newest checkpoint's state file or manifest damaged: a flipped bit, truncated, deleted, regrown", true),
    FORGED_MANIFEST("a manifest with a valid checksum but a huge entry count, or naming a file outside its directories", true),
    FULL_DISK("the checkpoint directory on a disk too small for its checkpoints", true),
    RESTORE_RACE("the state file being restored truncated and regrown by another process, over and over", true);

    private final String description;
    private final boolean needsCheckpoints;

    Fault(String description, boolean needsCheckpoints) {
        this.description = description;
        this.needsCheckpoints = needsCheckpoints;
    }

    public String description() {
        return description;
    }

    /** Whether the fault is about checkpoint files, so only jobs that checkpoint can take it. */
    public boolean needsCheckpoints() {
        return needsCheckpoints;
    }

    /** The scenario that injects this fault. */
    Scenario scenario() {
        return switch (this) {
            case KILL -> new KillScenario();
            case TASK_FAILURE -> new TaskFailureScenario();
            case DAMAGED_CHECKPOINT -> new DamageScenario();
            case FORGED_MANIFEST -> new ForgeryScenario();
            case FULL_DISK -> new FullDiskScenario();
            case RESTORE_RACE -> new RestoreRaceScenario();
        };
    }
}
