package io.riffle.engine.internal.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import io.riffle.engine.CheckpointFailureReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the checkpoints of one job attempt: triggers them (periodically and on demand, one at a time: a
 * requested one waits for the one in flight, a periodic one is skipped while one is in flight),
 * asks the source subtasks to inject barriers, collects every subtask's acknowledgement, then completes
 * the checkpoint (manifest written atomically) and commits the two-phase-commit sinks. A checkpoint that
 * times out, that a subtask declines (a failed write) or whose directory or manifest cannot be written is
 * aborted and its directory deleted, and counted with its {@link CheckpointFailureReason} in the {@link
 * CheckpointStats}; the job goes on, unless more checkpoints failed in a row than {@link
 * CheckpointConfig#tolerableFailures} (then it fails with a {@link CheckpointsFailedException} naming their
 * reasons). A subtask that finished acknowledges every later
 * checkpoint with what it left behind (its end position, its last staged output, a finished mark), so
 * checkpoints go on until every source has finished. Owns two daemon threads: the timer (triggers,
 * timeouts, completion, commits) and the writer that runs the asynchronous part of every snapshot.
 */
public final class CheckpointCoordinator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);
    private static final long REQUEST_POLL_MILLIS = 100;
    private final String jobName;
    private final CheckpointConfig config;
    private final CheckpointIds ids;
    private final String planFingerprint;
    private final int maxParallelism;
    private final int taskCount;
    /** Source subtasks by task index: told the id of each barrier to inject; null for other subtasks. */
    private final LongConsumer[] sources;
    private int sourceCount;
    /** What each finished subtask acknowledges later checkpoints with, by task index; null while it runs. */
    private final List<List<Manifest.Entry>> finished;
    private int finishedSources;
    private final CheckpointParticipants participants;
    private final CheckpointStats stats;
    /** Fails the job attempt: called once more checkpoints failed in a row than the config tolerates. */
    private final Consumer<RuntimeException> failJob;
    private final ScheduledExecutorService timer;
    private final ExecutorService writer;
    private Pending pending;
    /** Checkpoints requested while another was in flight, in the order asked; guarded by this. */
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private boolean stopped;

    /** A requested checkpoint waiting for the one in flight. */
    private record Request(boolean savepoint, CompletableFuture<Long> result) {
    }

    /** One checkpoint in flight. */
    private static final class Pending {
        final long id;
        final boolean savepoint;
        final Path directory;
        final long startNanos;
        final List<Manifest.Entry> entries = new ArrayList<>();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        final boolean[] acknowledgedBy;
        int acknowledged;
        long bytes;

        Pending(long id, boolean savepoint, Path directory, int taskCount) {
            this.id = id;
            this.savepoint = savepoint;
            this.directory = directory;
            this.acknowledgedBy = new boolean[taskCount];
            this.startNanos = System.nanoTime();
        }
    }

    public CheckpointCoordinator(String jobName, CheckpointConfig config, CheckpointIds ids, String planFingerprint,
                                 int maxParallelism, int taskCount, CheckpointParticipants participants,
                                 CheckpointStats stats, Consumer<RuntimeException> failJob) {
        this.jobName = jobName;
        this.config = config;
        this.ids = ids;
        this.planFingerprint = planFingerprint;
        this.maxParallelism = maxParallelism;
        this.taskCount = taskCount;
        this.sources = new LongConsumer[taskCount];
        this.finished = new ArrayList<>(Collections.nCopies(taskCount, null));
        this.participants = participants;
        this.stats = stats;
        this.failJob = failJob;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "riffle-checkpoints-" + jobName));
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "riffle-checkpoint-writer-" + jobName));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Source subtask {@code task} (an index below the task count, unique per subtask of the job): told the
     * id of each barrier to inject. Call before {@link #start}.
     */
    public void addSource(int task, LongConsumer injectBarrier) {
        sources[task] = injectBarrier;
        sourceCount++;
    }

    /**
     * Starts the periodic trigger, if an interval is set, and serves requests from other processes
     * ({@link CheckpointRequests}) every {@value #REQUEST_POLL_MILLIS} ms.
     */
    public void start() {
        long interval = config.interval().toNanos();
        if (interval > 0) {
            timer.scheduleWithFixedDelay(this::beginPeriodic, interval, interval, TimeUnit.NANOSECONDS);
        }
        timer.scheduleWithFixedDelay(() -> CheckpointRequests.serve(config.storage().root(), this::trigger),
                REQUEST_POLL_MILLIS, REQUEST_POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts a checkpoint (or a savepoint, kept until deleted) now, or once the checkpoints in flight and
     * requested before it have ended; the future completes with its id or fails. Never throws: once the
     * attempt is ending, the future fails saying so.
     */
    public synchronized CompletableFuture<Long> trigger(boolean savepoint) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        if (stopped) {
            result.completeExceptionally(attemptEnding());
            return result;
        }
        // close() stops under this lock before it shuts the timer down, and waits for the timer to run the
        // abort it queues then: the timer takes this task and runs it first, so the future always completes.
        timer.execute(() -> begin(savepoint, result));
        return result;
    }

    private IllegalStateException attemptEnding() {
        return new IllegalStateException("job '" + jobName + "' takes no more checkpoints: the attempt is ending");
    }

    /** A period has passed: starts a checkpoint, unless one is in flight (the next period comes soon enough). */
    private synchronized void beginPeriodic() {
        if (pending == null) {
            begin(false, new CompletableFuture<>());
        }
    }

    /** Starts a checkpoint on the timer thread, or, while one is in flight, queues it in {@link #waiting}. */
    private synchronized void begin(boolean savepoint, CompletableFuture<Long> result) {
        if (stopped) {
            result.completeExceptionally(attemptEnding());
            return;
        }
        if (sourceCount > 0 && finishedSources == sourceCount) {
            result.completeExceptionally(new IllegalStateException("job '" + jobName
                    + "' takes no more checkpoints: every source has finished"));
            return;
        }
        if (pending != null) {
            waiting.add(new Request(savepoint, result));
            return;
        }
        long id = ids.next();
        Path dir;
        try {
            dir = config.storage().begin(id, savepoint);
        } catch (IOException e) {
            String why = "could not start: " + FailureReasons.describe(e);
            failed(id, FailureReasons.of(e), why);
            result.completeExceptionally(new IllegalStateException("checkpoint " + id + " " + why, e));
            return;
        }
        Pending p = new Pending(id, savepoint, dir, taskCount);
        pending = p;
        p.done.whenComplete((v, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(v);
            }
            beginWaiting();
        });
        timer.schedule(() -> abort(id, CheckpointFailureReason.TIMED_OUT,
                        "timed out after " + config.timeout().toMillis() + " ms"),
                config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        for (int task = 0; task < taskCount; task++) {
            if (finished.get(task) != null) {
                acknowledge(p, task, finished.get(task), 0);
            } else if (sources[task] != null) {
                sources[task].accept(id);
            }
        }
    }

    /**
     * Once a checkpoint has ended (completed or aborted, on the timer thread), starts the first request that
     * waited for it; one that cannot start (the attempt is ending) fails, and the next is tried.
     */
    private synchronized void beginWaiting() {
        while (pending == null && !waiting.isEmpty()) {
            Request next = waiting.poll();
            begin(next.savepoint(), next.result());
        }
    }

    /** The directory checkpoint {@code id} writes into, or null when it is no longer in flight. */
    public synchronized Path directoryOf(long id) {
        return pending != null && pending.id == id ? pending.directory : null;
    }

    /**
     * Runs {@code write} (a subtask's asynchronous snapshot part) on the writer thread; it acknowledges or
     * declines when done.
     */
    public void submitWrite(Runnable write) {
        writer.execute(write);
    }

    /** Subtask {@code task} has snapshotted checkpoint {@code id}: its entries and the bytes it wrote. */
    public synchronized void acknowledge(long id, int task, List<Manifest.Entry> entries, long bytes) {
        if (pending != null && pending.id == id) {
            acknowledge(pending, task, entries, bytes);
        }
    }

    private void acknowledge(Pending p, int task, List<Manifest.Entry> entries, long bytes) {
        if (p.acknowledgedBy[task]) {
            return;
        }
        p.acknowledgedBy[task] = true;
        p.entries.addAll(entries);
        p.bytes += bytes;
        if (++p.acknowledged == taskCount) {
            onTimer(() -> complete(p));
        }
    }

    /**
     * A subtask could not snapshot checkpoint {@code id} for {@code reason}, as {@code message} says (one line a
     * user can act on): the checkpoint is aborted at once and its directory deleted once the writer is done with
     * it; the job goes on, unless more checkpoints failed in a row than it tolerates.
     */
    public void decline(long id, CheckpointFailureReason reason, String message) {
        onTimer(() -> abort(id, reason, message));
    }

    /** Runs {@code task} on the timer thread, unless the attempt has ended and the timer with it. */
    private void onTimer(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException ended) {
            // The attempt is over: its checkpoint in flight was aborted when the timer stopped.
        }
    }

    /**
     * Subtask {@code task} finished, after snapshotting checkpoint {@code lastSnapshotted} (0: none); it
     * acknowledges the checkpoint in flight, unless it snapshotted that one, and every later one with
     * {@code entries}.
     */
    public synchronized void subtaskFinished(int task, long lastSnapshotted, List<Manifest.Entry> entries) {
        finished.set(task, List.copyOf(entries));
        if (sources[task] != null) {
            finishedSources++;
        }
        if (pending != null && lastSnapshotted < pending.id) {
            acknowledge(pending, task, entries, 0);
        }
    }

    /** The attempt is ending: its checkpoint in flight is dropped, which is no failure of the checkpoint. */
    private void abortPending(String why) {
        Pending p;
        synchronized (this) {
            p = pending;
            pending = null;
        }
        if (p != null) {
            deleteAfterWrites(p.directory);
            p.done.completeExceptionally(aborted(p.id, why));
        }
    }

    /** Checkpoint {@code id}, if still in flight, failed for {@code reason}: files deleted, counted, future failed. */
    private void abort(long id, CheckpointFailureReason reason, String message) {
        Pending p;
        synchronized (this) {
            if (pending == null || pending.id != id) {
                return;
            }
            p = pending;
            pending = null;
        }
        deleteAfterWrites(p.directory);
        failed(id, reason, message);
        p.done.completeExceptionally(aborted(id, message));
    }

    private static IllegalStateException aborted(long id, String why) {
        return new IllegalStateException("checkpoint " + id + " aborted: " + why);
    }

    /**
     * Deletes an aborted checkpoint's directory on the writer thread, after the writes queued before: one may
     * still be writing into it (a time-out, or another subtask's write after a decline), and would otherwise
     * leave a file behind in a directory deleted under it. Later writes find the checkpoint gone and write
     * nothing. Once the writer is shut down, deletes at once.
     */
    private void deleteAfterWrites(Path directory) {
        try {
            writer.execute(() -> config.storage().abort(directory));
        } catch (RejectedExecutionException shutDown) {
            config.storage().abort(directory);
        }
    }

    /**
     * Counts failed checkpoint {@code id} with its reason; fails the job once more failed in a row than the config
     * tolerates.
     */
    private void failed(long id, CheckpointFailureReason reason, String message) {
        int inARow = stats.recordFailure(id, reason, message);
        LOG.warn("checkpoint {} of job '{}' failed ({}, {} in a row): {}", id, jobName, reason.words(), inARow,
                message);
        if (inARow > config.tolerableFailures()) {
            failJob.accept(new CheckpointsFailedException(inARow, stats.reasonsInARow(), id, message));
        }
    }

    private void complete(Pending p) {
        synchronized (this) {
            if (pending != p) {
                return;
            }
        }
        Manifest manifest = new Manifest(p.id, p.savepoint, System.currentTimeMillis(), maxParallelism,
                planFingerprint, List.copyOf(p.entries));
        try {
            config.storage().complete(p.directory, manifest);
        } catch (IOException | RuntimeException e) {
            String what = e instanceof IOException io ? FailureReasons.describe(io) : e.getMessage();
            abort(p.id, FailureReasons.of(e), "its manifest could not be written: " + what);
            return;
        }
        synchronized (this) {
            pending = null;
        }
        long millis = (System.nanoTime() - p.startNanos) / 1_000_000;
        stats.completed(p.id, millis, p.bytes);
        LOG.debug("checkpoint {} of job '{}' complete: {} bytes of state in {} ms", p.id, jobName, p.bytes, millis);
        try {
            participants.commit(manifest);
        } catch (Exception e) {
            p.done.completeExceptionally(new IllegalStateException("checkpoint " + p.id + " is complete, but "
                    + e.getMessage(), e));
            return;
        }
        participants.tellSources(manifest);
        p.done.complete(p.id);
    }

    /** Stops triggering, aborts a checkpoint in flight and waits for both threads to end. */
    @Override
    public void close() {
        synchronized (this) {
            stopped = true;
        }
        boolean interrupted = false;
        try {
            Future<?> aborted = timer.submit(() -> abortPending("the job attempt ended"));
            // Waited for even when interrupted: shutdownNow would drop it, and a checkpoint in flight, or a
            // trigger queued behind it, would never complete. It only deletes and fails futures.
            while (true) {
                try {
                    aborted.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (ExecutionException | RejectedExecutionException e) {
            // Closed before, or the abort failed: the timer is being shut down anyway.
        }
        if (interrupted) {
            // The waits below return at once, and the caller finds the flag as it left it.
            Thread.currentThread().interrupt();
        }
        timer.shutdownNow();
        writer.shutdown();
        try {
            writer.awaitTermination(1, TimeUnit.MINUTES);
            timer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
