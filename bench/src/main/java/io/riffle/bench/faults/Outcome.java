package io.riffle.bench.faults;

/** How a trial ended, judged against the failure-free reference run; the last three must never happen. */
public enum Outcome {
    /** The job completed and its committed output equals the reference's, row for row. */
    RECOVERED_IDENTICAL(false),
    /** The job failed with one clear error line, and what it had committed is part of the reference. */
    CLEAN_ERROR(false),
    /** The job failed without loss or duplicates, but its error was a stack trace or named Java classes. */
    UNCLEAR_ERROR(false),
    /** Rows lost or duplicated, or a file outside the job's directories touched. */
    WRONG_OUTPUT(true),
    /** The JVM died (crash report, a signal) or an Error escaped (InternalError, OutOfMemoryError). */
    CRASH(true),
    /** A run did not end within the campaign's generous limit. */
    HANG(true);

    private final boolean failure;

    Outcome(boolean failure) {
        this.failure = failure;
    }

    /** Whether the outcome fails the campaign. */
    public boolean isFailure() {
        return failure;
    }
}
