package io.riffle.engine.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

import io.riffle.engine.CheckpointFailures;
import io.riffle.engine.JobHandle;
import io.riffle.engine.JobResult;

/**
 * Waits for a job, printing records read and records/s to stderr once a second while it runs, and a line for
 * each second in which checkpoints failed, saying why the last one did.
 */
final class Progress {
    private Progress() {
    }

    static JobResult await(JobHandle job, PrintStream err) {
        long failedSeen = 0;
        while (true) {
            try {
                return job.await(Duration.ofSeconds(1));
            } catch (TimeoutException e) {
                double seconds = job.elapsedSeconds();
                err.printf(Locale.ROOT, "%s: %,.0f records/s, %.1f s%n", job.jobName(), job.sourceRecordsPerSecond(),
                        seconds);
                CheckpointFailures failures = job.checkpointFailures();
                CheckpointFailures.Last last = failures.last();
                if (last != null && failures.count() > failedSeen) {
                    err.printf(Locale.ROOT, "%s: checkpoints failed (%d so far, %d in a row, the last for %s); %s%n",
                            job.jobName(), failures.count(), job.consecutiveFailedCheckpoints(), last.reason().words(),
                            last);
                    failedSeen = failures.count();
                }
            }
        }
    }
}
