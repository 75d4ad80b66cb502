package io.riffle.engine.internal.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

import io.riffle.columnar.hash.CorruptTableFileException;
import io.riffle.engine.FailureInjector;
import io.riffle.engine.JobResult;
import io.riffle.engine.RestartStrategy;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.TwoPhaseCommitSink;
import io.riffle.engine.internal.checkpoint.CheckpointConfig;
import io.riffle.engine.internal.checkpoint.CheckpointCoordinator;
import io.riffle.engine.internal.checkpoint.CheckpointIds;
import io.riffle.engine.internal.checkpoint.CheckpointParticipants;
import io.riffle.engine.internal.checkpoint.CheckpointStats;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.checkpoint.CheckpointsFailedException;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.checkpoint.DamagedCheckpoint;
import io.riffle.engine.internal.checkpoint.Manifest;
import io.riffle.engine.internal.checkpoint.RestoredCheckpoint;
import io.riffle.engine.internal.plan.PhysicalPlan;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.engine.internal.plan.Vertex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job over all its attempts. Each attempt is a fresh {@link JobAttempt} (own threads, channels and
 * memory). When one fails and the restart strategy allows, the next restores the newest complete
 * checkpoint this run took, or the one it started from, that passes its checks; with none it starts over.
 * Before an attempt starts, the two-phase-commit sinks commit the restored checkpoint's output and drop
 * what no checkpoint covers. A successful attempt's end-of-input output is committed only after every
 * subtask finished.
 *
 * <p>A damaged checkpoint is passed over for the one before; but the damaged one (it has a manifest) had
 * committed its sink output, which the restored job writes again. So before falling back, every sink takes
 * back what checkpoints after the restored one committed ({@link TwoPhaseCommitSink#retractCommittedAfter});
 * if a sink cannot, the fallback is refused with an error unless duplicates are allowed
 * ({@link RestoreConfig#allowDuplicatesOnFallback()}). Restores and fallbacks are logged and reported.
 *
 * <p>A job whose checkpoints keep failing beyond the tolerated count, or whose attempt failed on an error of
 * the JVM itself ({@link OperatorFailedException#isFatal}), is not restarted.
 */
public final class JobRun {
    /** The job's life: started, restarting, finished, failed or cancelled. */
    private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);
    /**
     * Where each attempt's state came from: restored, started over, or fallen back past a damaged checkpoint.
     * A logger of its own, so that an operator (and the recovery tests) can follow restores apart from the rest.
     */
    private static final Logger RESTORES = LoggerFactory.getLogger("io.riffle.engine.restore");

    /**
     * How the job ended over all its attempts, how long it ran, how often it restarted and how long its
     * recoveries took.
     */
    public record Outcome(Ending ending, long nanos, int restarts, long recoveryNanos) {
    }

    private final String jobName;
    private final PhysicalPlan plan;
    private final RuntimeConfig config;
    private final CheckpointConfig checkpoints;
    private final RestartStrategy restartStrategy;
    private final RestoreConfig restoreConfig;
    private final FailureInjector failures;
    private final Map<Integer, TwoPhaseCommitSink> sinks = new LinkedHashMap<>();
    private final CheckpointParticipants participants;
    private final FinalCommits finalCommits = new FinalCommits();
    private final CheckpointStats stats = new CheckpointStats();
    private final String fingerprint;
    /** The ids of the plan's sources and transformations: what a checkpoint's entries may name. */
    private final Set<Integer> operatorIds = new HashSet<>();
    /** The first checkpoint id of this run: older checkpoints in its directory are not its own. */
    private final long firstId;
    private final CheckpointIds ids;
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
    private final List<JobAttempt> attempts = new ArrayList<>();
    private final List<JobResult.Fallback> fallbacks = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private volatile JobAttempt current;
    /** What the current attempt restored; null when it started fresh. */
    private volatile RestoredCheckpoint restored;
    private volatile boolean cancelled;
    private volatile Thread restarting;
    /**
     * The restart being started (1 for the first): set once the failed attempt has ended and the job restarts,
     * cleared (0) once the new attempt runs or the job has ended. No attempt runs while it is set.
     */
    private volatile int restartingAs;
    /** The checkpoint the first attempt restored, which restarts fall back to; null when it started fresh. */
    private volatile RestoredCheckpoint startedFrom;
    private int restarts;
    private long recoveryNanos;
    /** Held from start to end while the job checkpoints; null otherwise. */
    private AutoCloseable directoryLock;

    private JobRun(String jobName, PhysicalPlan plan, RuntimeConfig config, CheckpointConfig checkpoints,
                   RestartStrategy restartStrategy, RestoreConfig restoreConfig, FailureInjector failures,
                   long firstId) {
        this.jobName = jobName;
        this.plan = plan;
        this.config = config;
        this.checkpoints = checkpoints;
        this.restartStrategy = restartStrategy;
        this.restoreConfig = restoreConfig;
        this.failures = failures;
        this.fingerprint = fingerprint(plan);
        this.firstId = firstId;
        this.ids = new CheckpointIds(firstId);
        Map<Integer, Source> sources = new LinkedHashMap<>();
        for (Vertex v : plan.vertices()) {
            if (v.source() != null) {
                operatorIds.add(v.sourceId());
                if (v.source().isRewindable()) {
                    sources.put(v.sourceId(), v.source());
                }
            }
            for (Transformation t : v.chain()) {
                operatorIds.add(t.id());
                if (t.kind() == Transformation.Kind.SINK && t.sink() instanceof TwoPhaseCommitSink s) {
                    sinks.put(t.id(), s);
                }
            }
        }
        this.participants = new CheckpointParticipants(sinks, sources);
    }

    /**
     * Starts the first attempt, from {@code restore.from()} when given: a checkpoint directory, or a
     * directory of checkpoints whose newest restorable one is taken (none complete yet: the job starts from
     * the beginning and says so; only damaged ones: an error). Setup errors throw here.
     */
    public static JobRun start(String jobName, PhysicalPlan plan, RuntimeConfig config, CheckpointConfig checkpoints,
                               RestartStrategy restartStrategy, RestoreConfig restore, FailureInjector failures) {
        long firstId = 1;
        CheckpointStorage.Listing from = null;
        try {
            if (checkpoints != null) {
                firstId = checkpoints.storage().nextId();
            }
            if (restore.from() != null) {
                from = restorable(restore.from());
                firstId = Math.max(firstId, from.newestId() + 1);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        JobRun run = new JobRun(jobName, plan, config, checkpoints, restartStrategy, restore, failures, firstId);
        try {
            if (checkpoints != null) {
                run.directoryLock = checkpoints.storage().lock();
            }
            if (from == null) {
                run.startAttempt(null);
            } else if (from.complete().isEmpty()) {
                RESTORES.info("job '" + jobName + "': no complete checkpoint in " + restore.from()
                        + " yet, so it starts from the beginning");
                run.startAttempt(null);
            } else {
                List<DamagedCheckpoint> damaged = new ArrayList<>(from.damaged());
                if (!run.startFromFirstRestorable(from.complete(), damaged)) {
                    throw new IllegalArgumentException("no checkpoint in " + restore.from() + " could be restored: "
                            + reasons(damaged));
                }
            }
            LOG.info("job '{}' started{}", jobName, checkpoints == null ? ""
                    : ", checkpointing to " + checkpoints.storage().root());
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
     * What {@code from} offers: the one checkpoint it is (a directory with a manifest, or named like a
     * checkpoint), which must be restorable; or the checkpoints in it, which may be none (a job that never
     * completed one, or a directory not made yet) but not only damaged ones: their state would be lost.
     */
    private static CheckpointStorage.Listing restorable(Path from) throws IOException {
        if (Files.exists(from.resolve(Manifest.FILE_NAME)) || CheckpointStorage.isCheckpointName(from)) {
            return new CheckpointStorage.Listing(List.of(CheckpointStorage.load(from)), List.of());
        }
        CheckpointStorage.Listing listing = new CheckpointStorage(from, 1).list();
        if (listing.complete().isEmpty() && !listing.damaged().isEmpty()) {
            throw new CorruptCheckpointException("no checkpoint in " + from + " could be restored: "
                    + reasons(listing.damaged()));
        }
        return listing;
    }

    /**
     * Starts an attempt from the first of {@code candidates} (newest first) that restores cleanly. One that
     * turns out damaged, or holds entries this job does not have, joins {@code damaged} and is passed over.
     * Before a checkpoint older than a damaged one is restored, the sinks take back what the damaged one
     * committed ({@link #prepareFallback}). Returns whether an attempt started; a checkpoint of another
     * job, a refused fallback or any other failure throws.
     */
    private boolean startFromFirstRestorable(List<RestoredCheckpoint> candidates, List<DamagedCheckpoint> damaged) {
        for (RestoredCheckpoint c : candidates) {
            checkSamePlan(c);
            String misfit = entryOutsidePlan(c);
            if (misfit != null) {
                damaged.add(new DamagedCheckpoint(c.id(), c.directory(), misfit));
                continue;
            }
            List<DamagedCheckpoint> newer = newerThan(damaged, c.id());
            List<String> repeating = prepareFallback(c, newer);
            try {
                startAttempt(c);
            } catch (RuntimeException e) {
                Throwable corruption = corruptionIn(e);
                if (corruption == null) {
                    throw e;
                }
                damaged.add(new DamagedCheckpoint(c.id(), c.directory(), corruption.getMessage()));
                continue;
            }
            reportRestore(c, newer, repeating);
            return true;
        }
        return false;
    }

    private static List<DamagedCheckpoint> newerThan(List<DamagedCheckpoint> damaged, long id) {
        List<DamagedCheckpoint> newer = new ArrayList<>();
        for (DamagedCheckpoint d : damaged) {
            if (d.id() > id) {
                newer.add(d);
            }
        }
        newer.sort(Comparator.comparingLong(DamagedCheckpoint::id).reversed());
        return newer;
    }

    /**
     * Before restoring {@code to} (null: starting from the beginning) in place of the newer, damaged
     * checkpoints {@code passedOver}: what those committed, the restored job writes again. Each sink that
     * can takes it back; if one cannot, the fallback is refused unless duplicates are allowed. Returns
     * the sinks that will repeat output (quoted names), empty when none will.
     */
    private List<String> prepareFallback(RestoredCheckpoint to, List<DamagedCheckpoint> passedOver) {
        if (passedOver.isEmpty()) {
            return List.of();
        }
        List<String> cannot = new ArrayList<>();
        for (TwoPhaseCommitSink sink : sinks.values()) {
            if (!sink.canRetract()) {
                cannot.add("'" + sink.name() + "'");
            }
        }
        if (!cannot.isEmpty() && !restoreConfig.allowDuplicatesOnFallback()) {
            throw new IllegalStateException(damage(passedOver) + "; " + (to == null ? "starting from the beginning"
                    : "restoring checkpoint " + to.id()) + " would repeat the output that sink"
                    + (cannot.size() == 1 ? " " : "s ") + String.join(", ", cannot) + " already committed and cannot"
                    + " take back; allow the duplicates with allowDuplicatesOnFallback()"
                    + " (CLI: --allow-duplicates-on-fallback)");
        }
        long restoredId = to == null ? 0 : to.id();
        for (TwoPhaseCommitSink sink : sinks.values()) {
            if (sink.canRetract()) {
                try {
                    sink.retractCommittedAfter(restoredId);
                } catch (Exception e) {
                    throw new IllegalStateException("job '" + jobName + "': sink '" + sink.name() + "' could not"
                            + " take back the output committed after checkpoint " + restoredId + ": " + e.getMessage(),
                            e);
                }
            }
        }
        return cannot;
    }

    /**
     * Records and logs that an attempt restored {@code c} (null: started over) in place of {@code passedOver},
     * the sinks {@code repeating} writing again what those had committed.
     */
    private void reportRestore(RestoredCheckpoint c, List<DamagedCheckpoint> passedOver, List<String> repeating) {
        String what = c == null ? "started from the beginning" : "restored checkpoint " + c.id() + " ("
                + c.directory() + ")";
        if (passedOver.isEmpty()) {
            RESTORES.info("job '" + jobName + "' " + what);
            return;
        }
        synchronized (fallbacks) {
            for (DamagedCheckpoint d : passedOver) {
                fallbacks.add(new JobResult.Fallback(d.directory(), d.reason(), c == null ? null : c.directory(),
                        !repeating.isEmpty()));
            }
        }
        String after = c == null ? "" : " after checkpoint " + c.id();
        String sinkOutput = !repeating.isEmpty() ? ", so sink" + (repeating.size() == 1 ? " " : "s ")
                + String.join(", ", repeating) + " will write again what was committed" + after + " (duplicates allowed)"
                : sinks.isEmpty() ? "" : ", its sinks having taken back what they committed" + after;
        RESTORES.warn("job '" + jobName + "': " + damage(passedOver) + "; " + what + " instead"
                + sinkOutput);
    }

    /** "checkpoint 7 is damaged (reason)" or "checkpoints 7 and 6 are damaged (reason; reason)". */
    private static String damage(List<DamagedCheckpoint> damaged) {
        List<String> ids = new ArrayList<>();
        for (DamagedCheckpoint d : damaged) {
            ids.add(Long.toString(d.id()));
        }
        return (damaged.size() == 1 ? "checkpoint " + ids.get(0) + " is"
                : "checkpoints " + String.join(", ", ids.subList(0, ids.size() - 1)) + " and " + ids.get(ids.size() - 1)
                + " are") + " damaged (" + reasons(damaged) + ")";
    }

    private static String reasons(List<DamagedCheckpoint> damaged) {
        List<DamagedCheckpoint> newestFirst = new ArrayList<>(damaged);
        newestFirst.sort(Comparator.comparingLong(DamagedCheckpoint::id).reversed());
        List<String> reasons = new ArrayList<>();
        for (DamagedCheckpoint d : newestFirst) {
            reasons.add(d.reason());
        }
        return String.join("; ", reasons);
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
        Manifest m = restore.manifest();
        if (!m.planFingerprint().equals(fingerprint)) {
            throw new IllegalArgumentException("checkpoint " + restore.directory() + " was taken of another job: "
                    + m.planFingerprint() + ", this job is " + fingerprint);
        }
        if (m.maxParallelism() != config.maxParallelism()) {
            throw new IllegalArgumentException("checkpoint " + restore.directory() + " was taken at a max parallelism"
                    + " of " + m.maxParallelism() + ", this job has " + config.maxParallelism() + ": keyed state is"
                    + " filed by key group, so set the same (setMaxParallelism(" + m.maxParallelism() + "))");
        }
    }

    /** Why {@code c}, though of this job's plan, cannot be this job's (an entry of an operator it lacks), or null. */
    private String entryOutsidePlan(RestoredCheckpoint c) {
        for (Manifest.Entry e : c.manifest().entries()) {
            if (!operatorIds.contains(e.operator())) {
                return c.directory().resolve(Manifest.FILE_NAME) + ": an entry of operator " + e.operator()
                        + ", which this job does not have";
            }
        }
        return null;
    }

    private void startAttempt(RestoredCheckpoint restore) {
        try {
            if (restore != null) {
                participants.commit(restore.manifest());
            }
        } catch (Exception e) {
            throw new IllegalStateException("job '" + jobName + "' cannot restore " + restore.directory() + ": "
                    + e.getMessage(), e);
        }
        try {
            for (TwoPhaseCommitSink sink : sinks.values()) {
                sink.abortUncommitted();
            }
        } catch (Exception e) {
            throw new IllegalStateException("job '" + jobName + "': a sink could not drop its uncommitted output: "
                    + e.getMessage(), e);
        }
        finalCommits.clear();
        AttemptSpec spec = new AttemptSpec(checkpoints, ids, stats, fingerprint, restore, participants, finalCommits,
                failures);
        JobAttempt attempt = JobAttempt.start(jobName, plan, config, spec);
        synchronized (attempts) {
            if (attempts.isEmpty()) {
                startedFrom = restore;
            }
            attempts.add(attempt);
        }
        current = attempt;
        restartingAs = 0;
        restored = restore;
        if (failures != null) {
            failures.attemptStarted(restarts);
        }
        attempt.completion().whenComplete((outcome, e) -> onAttemptEnd(outcome));
    }

    private void onAttemptEnd(JobAttempt.Outcome outcome) {
        long now = System.nanoTime();
        if (!(outcome.ending() instanceof Ending.Failed failed)) {
            boolean finished = outcome.ending() instanceof Ending.Finished;
            Throwable commitFailure = finished ? commitFinal() : null;
            finish(commitFailure != null ? Ending.failed(commitFailure) : outcome.ending());
            return;
        }
        Throwable failure = failed.cause();
        if (cancelled) {
            finish(Ending.CANCELLED);
            return;
        }
        // Restarting would not make the checkpoints succeed, nor mend a JVM in trouble.
        if (failure instanceof CheckpointsFailedException || OperatorFailedException.isFatal(failure)) {
            finish(outcome.ending());
            return;
        }
        long delay = restartStrategy.delayNanos(restarts + 1);
        if (delay < 0) {
            finish(outcome.ending());
            return;
        }
        LOG.warn("job '{}': attempt {} failed ({}); restart {} in {} ms", jobName, restarts + 1,
                OperatorFailedException.messageOf(failure), restarts + 1, delay / 1_000_000);
        restartingAs = restarts + 1;
        if (failures != null) {
            failures.restarting(restarts + 1);
        }
        restarting = Thread.currentThread();
        long until = System.nanoTime() + delay;
        while (!cancelled && System.nanoTime() < until) {
            LockSupport.parkNanos(until - System.nanoTime());
        }
        restarting = null;
        if (cancelled) {
            finish(Ending.CANCELLED);
            return;
        }
        restarts++;
        try {
            restartFromNewest();
        } catch (RuntimeException | Error e) {
            e.addSuppressed(failure);
            finish(Ending.failed(e));
            return;
        }
        recoveryNanos += System.nanoTime() - now;
    }

    /**
     * Restores the newest complete checkpoint of this run, or else the one the run started from, that
     * restores cleanly; with none, starts over, which is a fallback too when checkpoints were damaged.
     */
    private void restartFromNewest() {
        List<RestoredCheckpoint> candidates = new ArrayList<>();
        List<DamagedCheckpoint> damaged = new ArrayList<>();
        try {
            if (checkpoints != null) {
                CheckpointStorage.Listing listing = checkpoints.storage().list();
                for (RestoredCheckpoint c : listing.complete()) {
                    if (c.id() >= firstId) {
                        candidates.add(c);
                    }
                }
                for (DamagedCheckpoint d : listing.damaged()) {
                    if (d.id() >= firstId) {
                        damaged.add(d);
                    }
                }
            }
            if (startedFrom != null) {
                addStartedFrom(candidates, damaged);
            }
        } catch (IOException e) {
            throw new IllegalStateException("job '" + jobName + "' cannot read its checkpoints: " + e.getMessage(), e);
        }
        if (startFromFirstRestorable(candidates, damaged)) {
            return;
        }
        List<String> repeating = prepareFallback(null, damaged);
        startAttempt(null);
        reportRestore(null, damaged, repeating);
    }

    /** The checkpoint the run started from, read again: it may have been pruned or damaged since. */
    private void addStartedFrom(List<RestoredCheckpoint> candidates, List<DamagedCheckpoint> damaged)
            throws IOException {
        Path dir = startedFrom.directory();
        try {
            candidates.add(CheckpointStorage.load(dir));
        } catch (CorruptCheckpointException e) {
            if (Files.exists(dir.resolve(Manifest.FILE_NAME))) {
                damaged.add(new DamagedCheckpoint(startedFrom.id(), dir, e.getMessage()));
            }
        }
    }

    /** The checkpoint corruption that {@code e} comes from, or null when it comes from something else. */
    private static Throwable corruptionIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CorruptCheckpointException || t instanceof CorruptTableFileException) {
                return t;
            }
        }
        return null;
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
            // Closing the lock file's channel releases the lock whatever else fails: a failure says nothing more.
            Closing.close(directoryLock, null);
            directoryLock = null;
        }
    }

    private void finish(Ending ending) {
        restartingAs = 0;
        for (TwoPhaseCommitSink sink : sinks.values()) {
            try {
                sink.jobEnded();
            } catch (Exception | LinkageError e) {
                LOG.warn("job '{}': sink '{}' could not release what it kept for commits: {}", jobName, sink.name(),
                        e.toString());
            }
        }
        unlock();
        long nanos = System.nanoTime() - startNanos;
        logEnd(ending, nanos);
        completion.complete(new Outcome(ending, nanos, restarts, recoveryNanos));
    }

    private void logEnd(Ending ending, long nanos) {
        String after = String.format("%.3f s", nanos / 1e9) + (restarts == 0 ? ""
                : " and " + restarts + (restarts == 1 ? " restart" : " restarts"));
        if (ending instanceof Ending.Failed failed) {
            // The failure's stack trace was logged where it happened (JobAttempt), or reaches the caller.
            LOG.warn("job '{}' failed after {}: {}", jobName, after, OperatorFailedException.messageOf(failed.cause()));
        } else if (ending instanceof Ending.Cancelled) {
            LOG.info("job '{}' was cancelled after {}", jobName, after);
        } else {
            LOG.info("job '{}' finished after {}", jobName, after);
        }
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

    /**
     * Checkpoints the attempt running now. Never throws: while the job restarts (no attempt runs) or once
     * it has ended, the future fails saying so.
     */
    public CompletableFuture<Long> triggerCheckpoint(boolean savepoint) {
        int restart = restartingAs;
        if (restart > 0) {
            return CompletableFuture.failedFuture(new IllegalStateException("job '" + jobName + "' is restarting after"
                    + " a failure: no checkpoint can be taken until restart " + restart + " has started"));
        }
        if (completion.isDone()) {
            return CompletableFuture.failedFuture(new IllegalStateException("job '" + jobName
                    + "' has ended: it takes no more checkpoints"));
        }
        return current.triggerCheckpoint(savepoint);
    }

    public CompletableFuture<Outcome> completion() {
        return completion;
    }

    /** Waits until no thread of any attempt is left. */
    public void awaitThreads() throws InterruptedException {
        List<JobAttempt> all;
        synchronized (attempts) {
            all = new ArrayList<>(attempts);
        }
        for (JobAttempt a : all) {
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

    /** The checkpoint the current (after the end: the last) attempt restored; null when it started fresh. */
    public Path restoredCheckpoint() {
        RestoredCheckpoint r = restored;
        return r == null ? null : r.directory();
    }

    /** Every damaged checkpoint recovery passed over so far, in order. */
    public List<JobResult.Fallback> fallbacks() {
        synchronized (fallbacks) {
            return List.copyOf(fallbacks);
        }
    }

    public long startNanos() {
        return startNanos;
    }
}
