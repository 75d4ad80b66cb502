package io.riffle.engine.internal.runtime;

/**
 * How a job, or one attempt of it, ended: it finished (every subtask ran to the end of its input), it was
 * cancelled, or it failed with a cause. What an attempt and a job report alike ({@link JobAttempt.Outcome},
 * {@link JobRun.Outcome}).
 */
public sealed interface Ending permits Ending.Finished, Ending.Cancelled, Ending.Failed {
    Ending FINISHED = new Finished();
    Ending CANCELLED = new Cancelled();

    static Ending failed(Throwable cause) {
        return new Failed(cause);
    }

    /** Every subtask ran to the end of its input. */
    record Finished() implements Ending {
    }

    /** Cancelled by hand, and nothing failed. */
    record Cancelled() implements Ending {
    }

    /** Failed with {@code cause}: the first failure; later ones are consequences of it. */
    record Failed(Throwable cause) implements Ending {
        public Failed {
            java.util.Objects.requireNonNull(cause, "cause");
        }
    }
}
