package io.riffle.engine.internal.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import io.riffle.columnar.hash.CorruptTableFileException;
import io.riffle.engine.RestartStrategy;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.internal.checkpoint.CheckpointConfig;
import io.riffle.engine.internal.checkpoint.CheckpointCoordinator;
import io.riffle.engine.internal.checkpoint.CheckpointIds;
import io.riffle.engine.internal.checkpoint.CheckpointStats;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.checkpoint.Manifest;
import io.riffle.engine.internal.checkpoint.RestoredCheckpoint;
import io.riffle.engine.internal.plan.PhysicalPlan;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.engine.internal.plan.Vertex;

/**
 * A job over all its attempts. Each attempt is a fresh {@link JobExecution} (own threads, channels and
 * memory). When one fails and the restart strategy allows, the next restores the newest complete
 * checkpoint that passes its checks (a damaged one is passed over for the one before), after the
 * two-phase-commit sinks have committed that checkpoint's output and dropped what no checkpoint covers;
 * with no checkpoint it starts over. A successful attempt's end-of-input output is committed only after
 * every subtask finished.
 */
public final class JobRun {
    /** How the whole run ended; {@code failure} is null on success. */
    public record Outcome(boolean cancelled, Throwable failure, long nanos, int restarts, long recoveryNanos) {
    }

    private final String jobName;
    private final PhysicalPlan plan;
    private final RuntimeConfig config;
    private final CheckpointConfig checkpoints;
    private final RestartStrategy restartStrategy;
    private final FailureInjector failures;
    private final Map<Integer, TwoPhaseCommitSink> sinks = new LinkedHashMap<>();
    private final FinalCommits finalCommits = new FinalCommits();
    private final CheckpointStats stats = new CheckpointStats();
    private final String fingerprint;
    private final CheckpointIds ids;
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
    private final List<JobExecution> attempts = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private volatile JobExecution current;
    private volatile boolean cancelled;
    private volatile Thread restarting;
    private int restarts;
    private long recoveryNanos;
    /** Held from start to end while the job checkpoints; null otherwise. */
    private AutoCloseable directoryLock;

    private JobRun(String jobName, PhysicalPlan plan, RuntimeConfig config, CheckpointConfig checkpoints,
                   RestartStrategy restartStrategy, FailureInjector failures, long firstId) {
        this.jobName = jobName;
        this.plan = plan;
        this.config = config;
        this.checkpoints = checkpoints;
        this.restartStrategy = restartStrategy;
        this.failures = failures;
        this.fingerprint = fingerprint(plan);
        this.ids = new CheckpointIds(firstId);
        for (Vertex v : plan.vertices()) {
            for (Transformation t : v.chain()) {
                if (t.kind() == Transformation.Kind.SINK && t.sink() instanceof TwoPhaseCommitSink s) {
                    sinks.put(t.id(), s);
                }
            }
        }
    }

    /**
     * Starts the first attempt, from {@code restoreFrom} when given (a checkpoint directory, or a directory
     * of checkpoints whose newest complete one is taken); setup errors throw here.
     */
    public static JobRun start(String jobName, PhysicalPlan plan, RuntimeConfig config, CheckpointConfig checkpoints,
                               RestartStrategy restartStrategy, Path restoreFrom, FailureInjector failures) {
        long firstId = 1;
        List<RestoredCheckpoint> candidates = List.of();
        try {
            if (checkpoints != null) {
                firstId = checkpoints.storage().nextId();
            }
            if (restoreFrom != null) {
                candidates = restorable(restoreFrom);
                firstId = Math.max(firstId, candidates.get(0).id() + 1);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        JobRun run = new JobRun(jobName, plan, config, checkpoints, restartStrategy, failures, firstId);
        try {
            if (checkpoints != null) {
                run.directoryLock = checkpoints.storage().lock();
            }
            if (candidates.isEmpty()) {
                run.startAttempt(null);
                return run;
            }
            RuntimeException corruption = run.startFromFirstRestorable(candidates);
            if (corruption != null) {
                throw new IllegalArgumentException("no checkpoint in " + restoreFrom + " could be restored: "
                        + corruption.getMessage(), corruption);
            }
            return run;
        } catch (IOException e) {
            run.unlock();
            throw new IllegalArgumentException("checkpoint directory " + checkpoints.storage().root()
                    + " cannot be locked: " + e, e);
        } catch (RuntimeException | Error e) {
            run.unlock();
            throw e;
        }
    }

    /**
     * Starts an attempt from the first of {@code candidates} that restores cleanly, passing over those whose
     * state turns out damaged; returns null once one started, or the damage (later ones suppressed in it)
     * when none could. A checkpoint of another job, or any other failure, throws.
     */
    private RuntimeException startFromFirstRestorable(List<RestoredCheckpoint> candidates) {
        RuntimeException firstCorruption = null;
        for (RestoredCheckpoint c : candidates) {
            checkSamePlan(c);
            try {
                startAttempt(c);
                return null;
            } catch (RuntimeException e) {
                if (!isCorruption(e)) {
                    throw e;
                }
                if (firstCorruption == null) {
                    firstCorruption = e;
                } else {
                    firstCorruption.addSuppressed(e);
                }
            }
        }
        return firstCorruption;
    }

    /** The checkpoint {@code from} names, or the complete ones in it, newest first; never empty. */
    private static List<RestoredCheckpoint> restorable(Path from) throws IOException {
        if (Files.exists(from.resolve(Manifest.FILE_NAME))) {
            return List.of(CheckpointStorage.load(from));
        }
        List<String> skipped = new ArrayList<>();
        List<RestoredCheckpoint> complete = new CheckpointStorage(from, 1).completeNewestFirst(skipped);
        if (complete.isEmpty()) {
            throw new CorruptCheckpointException("no complete checkpoint in " + from
                    + (skipped.isEmpty() ? "" : " (damaged: " + String.join("; ", skipped) + ")"));
        }
        return complete;
    }

    /** The transformations by id and name, whatever the parallelism and chaining: what a checkpoint must match. */
    private static String fingerprint(PhysicalPlan plan) {
        Map<Integer, String> byId = new TreeMap<>();
        for (Vertex v : plan.vertices()) {
            if (v.source() != null) {
                byId.put(v.sourceId(), v.sourceName());
            }
            for (Transformation t : v.chain()) {
                byId.put(t.id(), t.name());
            }
        }
        return byId.toString();
    }

    private void checkSamePlan(RestoredCheckpoint restore) {
        if (!restore.manifest().planFingerprint().equals(fingerprint)) {
            throw new IllegalArgumentException("checkpoint " + restore.directory() + " was taken of another job: "
                    + restore.manifest().planFingerprint() + ", this job is " + fingerprint);
        }
    }

    private void startAttempt(RestoredCheckpoint restore) {
        try {
            if (restore != null) {
                CheckpointCoordinator.commit(restore.manifest(), sinks);
            }
            for (TwoPhaseCommitSink sink : sinks.values()) {
                sink.abortUncommitted();
            }
        } catch (Exception e) {
            throw new IllegalStateException("job '" + jobName + "': a sink could not recover its output: " + e, e);
        }
        finalCommits.clear();
        AttemptSpec spec = new AttemptSpec(checkpoints, ids, stats, fingerprint, restore, sinks, finalCommits, failures);
        JobExecution attempt = JobExecution.start(jobName, plan, config, spec);
        synchronized (attempts) {
            attempts.add(attempt);
        }
        current = attempt;
        if (failures != null) {
            failures.attemptStarted(restarts);
        }
        attempt.completion().whenComplete((outcome, e) -> onAttemptEnd(outcome));
    }

    private void onAttemptEnd(JobExecution.Outcome outcome) {
        long now = System.nanoTime();
        if (outcome.failure() == null) {
            Throwable commitFailure = outcome.cancelled() ? null : commitFinal();
            finish(outcome.cancelled(), commitFailure);
            return;
        }
        if (cancelled) {
            finish(true, null);
            return;
        }
        long delay = restartStrategy.delayNanos(restarts + 1);
        if (delay < 0) {
            finish(false, outcome.failure());
            return;
        }
        restarting = Thread.currentThread();
        long until = System.nanoTime() + delay;
        while (!cancelled && System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
        restarting = null;
        if (cancelled) {
            finish(true, null);
            return;
        }
        restarts++;
        try {
            restartFromNewest();
        } catch (RuntimeException | Error e) {
            e.addSuppressed(outcome.failure());
            finish(false, e);
            return;
        }
        recoveryNanos += System.nanoTime() - now;
    }

    /** Restores the newest complete checkpoint that restores cleanly; with none, starts over. */
    private void restartFromNewest() {
        List<RestoredCheckpoint> candidates = List.of();
        if (checkpoints != null) {
            try {
                candidates = checkpoints.storage().completeNewestFirst(new ArrayList<>());
            } catch (IOException e) {
                throw new IllegalStateException("job '" + jobName + "' cannot read its checkpoints: " + e, e);
            }
        }
        if (candidates.isEmpty() || startFromFirstRestorable(candidates) != null) {
            startAttempt(null);
        }
    }

    private static boolean isCorruption(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CorruptCheckpointException || t instanceof CorruptTableFileException) {
                return true;
            }
        }
        return false;
    }

    private Throwable commitFinal() {
        try {
            for (Map.Entry<Integer, TwoPhaseCommitSink> sink : sinks.entrySet()) {
                List<byte[]> committables = finalCommits.take(sink.getKey());
                if (!committables.isEmpty()) {
                    sink.getValue().commit(committables);
                }
            }
            return null;
        } catch (Exception e) {
            return new IllegalStateException("job '" + jobName + "' finished but a sink could not commit: " + e, e);
        }
    }

    private void unlock() {
        if (directoryLock != null) {
            try {
                directoryLock.close();
            } catch (Exception e) {
                // Closing the lock file's channel releases the lock whatever else fails.
            }
            directoryLock = null;
        }
    }

    private void finish(boolean wasCancelled, Throwable failure) {
        unlock();
        completion.complete(new Outcome(wasCancelled && failure == null, failure, System.nanoTime() - startNanos,
                restarts, recoveryNanos));
    }

    /** Cancels the job, also while it waits to restart. */
    public void cancel() {
        cancelled = true;
        Thread waiting = restarting;
        if (waiting != null) {
            LockSupport.unpark(waiting);
        }
        current.cancel();
    }

    public CompletableFuture<Long> triggerCheckpoint(boolean savepoint) {
        return current.triggerCheckpoint(savepoint);
    }

    public CompletableFuture<Outcome> completion() {
        return completion;
    }

    /** Waits until no thread of any attempt is left. */
    public void awaitThreads() throws InterruptedException {
        List<JobExecution> all;
        synchronized (attempts) {
            all = new ArrayList<>(attempts);
        }
        for (JobExecution a : all) {
            a.awaitMonitor();
        }
    }

    /** The current attempt's operator metrics. */
    public List<OperatorMetrics> metrics() {
        return current.metrics();
    }

    public CheckpointStats checkpointStats() {
        return stats;
    }

    public String jobName() {
        return jobName;
    }

    public long startNanos() {
        return startNanos;
    }
}
