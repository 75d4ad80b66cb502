package io.riffle.engine.cli;

import java.io.PrintStream;

/** A built-in job the CLI can run: {@code bin/riffle run <name>}. */
interface Job {
    /** Runs the job, printing results to {@code out} and progress to {@code err}; returns its summary. */
    JobSummary run(JobOptions options, PrintStream out, PrintStream err);
}
