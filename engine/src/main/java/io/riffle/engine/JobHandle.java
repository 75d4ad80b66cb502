package io.riffle.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.riffle.engine.internal.checkpoint.CheckpointsFailedException;
import io.riffle.engine.internal.runtime.Ending;
import io.riffle.engine.internal.runtime.JobRun;
import io.riffle.engine.internal.runtime.OperatorFailedException;
import io.riffle.engine.internal.runtime.OperatorMetrics;
import org.jspecify.annotations.Nullable;

/**
 * A running job ({@link Environment#executeAsync()}): live metrics, cancel, and await. Thread-safe.
 * Once {@link #await()} returns or throws, the job's threads, channels and memory are gone.
 *
 * <p>The job's workers are daemon threads, but while it runs the handle keeps one non-daemon thread,
 * {@code riffle-keeper-<job>}, so that a {@code main} that starts a job and returns leaves the JVM running
 * until the job ends, as Flink's local environment does; {@link Environment#setKeepJvmAlive}{@code (false)}
 * leaves it out, and a JVM may then exit under the running job. The keeper ends with the job.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Environment env = Environment.streaming();
 *     env.generate(1_000_000, 100).keyBy("key").sum("value").writeCsv(Path.of("sums.csv"));
 *     JobHandle job = env.executeAsync("sums");
 *     // main may return here: the JVM exits once the job has ended and sums.csv is complete
 * }
 * }</pre>
 */
public final class JobHandle {
    private final JobRun execution;
    /** The non-daemon thread that lives as long as the job; null when the job does not keep the JVM alive. */
    private final Thread keeper;

    JobHandle(JobRun execution, boolean keepJvmAlive) {
        this.execution = execution;
        this.keeper = keepJvmAlive ? startKeeper(execution) : null;
    }

    /** A non-daemon thread that waits for the job to end (or to be interrupted), and then ends. */
    private static Thread startKeeper(JobRun execution) {
        Thread keeper = new Thread(() -> {
            try {
                execution.completion().get();
            } catch (InterruptedException e) {
                // Whoever interrupted the keeper lets the JVM exit under the job; the keeper ends, flag set.
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // The job ended; how is for await() to say.
            }
        }, "riffle-keeper-" + execution.jobName());
        keeper.setDaemon(false);
        keeper.start();
        return keeper;
    }

    public String jobName() {
        return execution.jobName();
    }

    /** Records in and out per operator so far. */
    public List<OperatorStats> metrics() {
        List<OperatorStats> stats = new ArrayList<>();
        for (OperatorMetrics m : execution.metrics()) {
            stats.add(new OperatorStats(m.name(), m.parallelism(), m.isSource(), m.recordsIn(), m.recordsOut(),
                    m.recordsDropped()));
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
        if (seconds <= 0) {
            return 0;
        }
        long records = 0;
        for (OperatorStats s : metrics()) {
            if (s.source()) {
                records += s.recordsOut();
            }
        }
        return records / seconds;
    }

    public boolean isDone() {
        return execution.completion().isDone();
    }

    /** Stops the job; {@link #await()} then throws a {@link JobFailedException} saying it was cancelled. */
    public void cancel() {
        execution.cancel();
    }

    /**
     * Takes a checkpoint now (the job must checkpoint: {@link Environment#enableCheckpointing}), or, while
     * another is in flight, right after it; completes with its number once it is complete, or fails saying
     * why it was not taken or was aborted: also while the job restarts after a failure (no attempt runs
     * then) and once it has ended. Never throws.
     */
    public CompletableFuture<Long> triggerCheckpoint() {
        return execution.triggerCheckpoint(false);
    }

    /** Like {@link #triggerCheckpoint()}, but kept (as {@code savepoint-<n>}) until deleted by hand. */
    public CompletableFuture<Long> triggerSavepoint() {
        return execution.triggerCheckpoint(true);
    }

    /** Checkpoints completed so far, over all attempts. */
    public long completedCheckpoints() {
        return execution.checkpointStats().completed();
    }

    /**
     * Checkpoints that failed so far, over all attempts: aborted because a subtask could not write its state
     * (a full disk), timed out, or could not start ({@link #checkpointFailures()} says why). The job goes on
     * unless {@link Environment#setTolerableCheckpointFailures} says otherwise.
     */
    public long failedCheckpoints() {
        return execution.checkpointStats().failed();
    }

    /** Checkpoints that failed since the last complete one: a job whose checkpoints keep failing shows here. */
    public int consecutiveFailedCheckpoints() {
        return execution.checkpointStats().consecutiveFailures();
    }

    /** Which checkpoint failed last and what happened ({@code checkpoint 5: ...}), or null when none failed. */
    public @Nullable String lastCheckpointFailure() {
        return execution.checkpointStats().lastFailure();
    }

    /** The checkpoints that failed so far, over all attempts: how many, how many for each reason, and the last. */
    public CheckpointFailures checkpointFailures() {
        return execution.checkpointStats().failures();
    }

    /** How long the last complete checkpoint took, from trigger to manifest, in milliseconds; 0 before the first. */
    public long lastCheckpointMillis() {
        return execution.checkpointStats().lastMillis();
    }

    /** The longest time any subtask stood still for the last complete checkpoint, in nanoseconds. */
    public long lastCheckpointPauseNanos() {
        return execution.checkpointStats().lastPauseNanos();
    }

    /** The bytes of state files the last complete checkpoint wrote; 0 before the first. */
    public long lastCheckpointBytes() {
        return execution.checkpointStats().lastBytes();
    }

    /** The longest time any subtask stood still for the synchronous part of a checkpoint, in nanoseconds. */
    public long maxCheckpointPauseNanos() {
        return execution.checkpointStats().maxPauseNanos();
    }

    /**
     * Waits for the job to end; throws {@link JobFailedException} if it failed or was cancelled. A job that
     * failed on an error of the JVM itself (an {@link OutOfMemoryError}; not a {@link StackOverflowError},
     * which fails the job like any exception of a user function) is not restarted, and this rethrows that error.
     */
    public JobResult await() {
        try {
            return await(Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new IllegalStateException("a job outlived Long.MAX_VALUE nanoseconds", e);
        }
    }

    /** Like {@link #await()}, but gives up after {@code timeout} with a {@link TimeoutException}. */
    public JobResult await(Duration timeout) throws TimeoutException {
        return await(timeout.toNanos());
    }

    private JobResult await(long timeoutNanos) throws TimeoutException {
        try {
            JobRun.Outcome outcome = execution.completion().get(timeoutNanos, TimeUnit.NANOSECONDS);
            execution.awaitThreads();
            if (keeper != null) {
                keeper.join();
            }
            return result(outcome);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobFailedException("interrupted while waiting for job '" + jobName() + "'", null, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private JobResult result(JobRun.Outcome outcome) {
        if (outcome.ending() instanceof Ending.Failed failed) {
            Throwable cause = failed.cause();
            if (OperatorFailedException.isFatal(cause)) {
                throw (Error) cause; // the JVM's own error, for the host to handle; the job has ended and freed all
            }
            String after = outcome.restarts() == 0 ? "" : " after " + outcome.restarts()
                    + (outcome.restarts() == 1 ? " restart" : " restarts");
            if (cause instanceof OperatorFailedException) {
                OperatorFailedException f = (OperatorFailedException) cause;
                throw new JobFailedException("job '" + jobName() + "' failed" + after + ": " + f.getMessage(),
                        f.operator(), f.getCause());
            }
            String why = cause instanceof CheckpointsFailedException ? cause.getMessage()
                    : OperatorFailedException.messageOf(cause);
            throw new JobFailedException("job '" + jobName() + "' failed" + after + ": " + why, null, cause);
        }
        if (outcome.ending() instanceof Ending.Cancelled) {
            throw new JobFailedException("job '" + jobName() + "' was cancelled", null, null);
        }
        return new JobResult(jobName(), outcome.nanos() / 1e9, metrics(), outcome.restarts(),
                execution.checkpointStats().completed(), outcome.recoveryNanos() / 1_000_000,
                execution.restoredCheckpoint(), execution.fallbacks(), execution.checkpointStats().failures());
    }
}
