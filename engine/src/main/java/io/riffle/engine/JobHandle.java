package io.riffle.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.riffle.engine.internal.runtime.JobExecution;
import io.riffle.engine.internal.runtime.OperatorFailedException;
import io.riffle.engine.internal.runtime.OperatorMetrics;

/**
 * A running job ({@link Environment#executeAsync()}): live metrics, cancel, and await. Thread-safe.
 * Once {@link #await()} returns or throws, the job's threads, channels and memory are gone.
 */
public final class JobHandle {
    private final JobExecution execution;

    JobHandle(JobExecution execution) {
        this.execution = execution;
    }

    public String jobName() {
        return execution.jobName();
    }

    /** Records in and out per operator so far. */
    public List<OperatorStats> metrics() {
        List<OperatorStats> stats = new ArrayList<>();
        for (OperatorMetrics m : execution.metrics()) {
            stats.add(new OperatorStats(m.name(), m.parallelism(), m.isSource(), m.recordsIn(), m.recordsOut()));
        }
        return stats;
    }

    /** Seconds since the job started. */
    public double elapsedSeconds() {
        return (System.nanoTime() - execution.startNanos()) / 1e9;
    }

    /** Records per second out of the sources since the job started. */
    public double sourceRecordsPerSecond() {
        double seconds = elapsedSeconds();
        return seconds > 0 ? new JobResult(jobName(), seconds, metrics()).sourceRecords() / seconds : 0;
    }

    public boolean isDone() {
        return execution.completion().isDone();
    }

    /** Stops the job; {@link #await()} then throws a {@link JobFailedException} saying it was cancelled. */
    public void cancel() {
        execution.cancel();
    }

    /** Waits for the job to end; throws {@link JobFailedException} if it failed or was cancelled. */
    public JobResult await() {
        try {
            JobExecution.Outcome outcome = execution.completion().get();
            execution.awaitMonitor();
            return result(outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailedException("interrupted while waiting for job '" + jobName() + "'", null, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Like {@link #await()}, but gives up after {@code timeout} with a {@link TimeoutException}. */
    public JobResult await(Duration timeout) throws TimeoutException {
        try {
            JobExecution.Outcome outcome = execution.completion().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            execution.awaitMonitor();
            return result(outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailedException("interrupted while waiting for job '" + jobName() + "'", null, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private JobResult result(JobExecution.Outcome outcome) {
        if (outcome.failure() != null) {
            Throwable cause = outcome.failure();
            if (cause instanceof OperatorFailedException) {
                OperatorFailedException f = (OperatorFailedException) cause;
                throw new JobFailedException("job '" + jobName() + "' failed: " + f.getMessage(), f.operator(),
                        f.getCause());
            }
            throw new JobFailedException("job '" + jobName() + "' failed: " + cause, null, cause);
        }
        if (outcome.cancelled()) {
            throw new JobFailedException("job '" + jobName() + "' was cancelled", null, null);
        }
        return new JobResult(jobName(), outcome.nanos() / 1e9, metrics());
    }
}
