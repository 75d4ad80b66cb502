package io.riffle.engine.internal.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

import io.riffle.engine.connector.TwoPhaseCommitSink;

/**
 * Runs the checkpoints of one job attempt: triggers them (periodically and on demand, one at a time),
 * asks the source subtasks to inject barriers, collects every subtask's acknowledgement, then completes
 * the checkpoint (manifest written atomically) and commits the two-phase-commit sinks. A checkpoint that
 * times out or that a subtask declines (a failed write, a subtask that finished) is aborted and its
 * directory deleted; the job goes on. Owns two daemon threads: the timer (triggers, timeouts, completion,
 * commits) and the writer that runs the asynchronous part of every snapshot.
 */
public final class CheckpointCoordinator implements AutoCloseable {
    private final String jobName;
    private final CheckpointConfig config;
    private final CheckpointIds ids;
    private final String planFingerprint;
    private final int maxParallelism;
    private final int taskCount;
    private final List<LongConsumer> sources = new ArrayList<>();
    private final Map<Integer, TwoPhaseCommitSink> sinks;
    private final CheckpointStats stats;
    private final ScheduledExecutorService timer;
    private final ExecutorService writer;
    private Pending pending;
    private boolean stopped;

    /** One checkpoint in flight. */
    private static final class Pending {
        final long id;
        final boolean savepoint;
        final Path directory;
        final long startNanos;
        final List<Manifest.Entry> entries = new ArrayList<>();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        int acknowledged;
        long bytes;

        Pending(long id, boolean savepoint, Path directory) {
            this.id = id;
            this.savepoint = savepoint;
            this.directory = directory;
            this.startNanos = System.nanoTime();
        }
    }

    public CheckpointCoordinator(String jobName, CheckpointConfig config, CheckpointIds ids, String planFingerprint,
                                 int maxParallelism, int taskCount, Map<Integer, TwoPhaseCommitSink> sinks,
                                 CheckpointStats stats) {
        this.jobName = jobName;
        this.config = config;
        this.ids = ids;
        this.planFingerprint = planFingerprint;
        this.maxParallelism = maxParallelism;
        this.taskCount = taskCount;
        this.sinks = sinks;
        this.stats = stats;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "riffle-checkpoints-" + jobName));
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "riffle-checkpoint-writer-" + jobName));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A source subtask: told the id of each barrier to inject. Call before {@link #start}. */
    public void addSource(LongConsumer injectBarrier) {
        sources.add(injectBarrier);
    }

    /** Starts the periodic trigger, if an interval is set. */
    public void start() {
        long interval = config.interval().toNanos();
        if (interval > 0) {
            timer.scheduleWithFixedDelay(() -> trigger(false), interval, interval, TimeUnit.NANOSECONDS);
        }
    }

    /** Starts a checkpoint (or a savepoint, kept until deleted); the future completes with its id or fails. */
    public CompletableFuture<Long> trigger(boolean savepoint) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        timer.execute(() -> begin(savepoint, result));
        return result;
    }

    private synchronized void begin(boolean savepoint, CompletableFuture<Long> result) {
        if (stopped) {
            result.completeExceptionally(new IllegalStateException("job '" + jobName
                    + "' takes no more checkpoints: it is ending or a subtask has finished"));
            return;
        }
        if (pending != null) {
            result.completeExceptionally(new IllegalStateException("checkpoint " + pending.id
                    + " is still in flight (at most one at a time)"));
            return;
        }
        long id = ids.next();
        Path dir;
        try {
            dir = config.storage().begin(id, savepoint);
        } catch (Exception e) {
            stats.recordFailure();
            result.completeExceptionally(new IllegalStateException("checkpoint " + id + " could not start: " + e, e));
            return;
        }
        Pending p = new Pending(id, savepoint, dir);
        pending = p;
        p.done.whenComplete((v, e) -> {
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(v);
            }
        });
        timer.schedule(() -> abort(id, "timed out after " + config.timeout().toMillis() + " ms"),
                config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        for (LongConsumer source : sources) {
            source.accept(id);
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

    /** A subtask has snapshotted checkpoint {@code id}: its entries and the bytes it wrote. */
    public synchronized void acknowledge(long id, List<Manifest.Entry> entries, long bytes) {
        if (pending == null || pending.id != id) {
            return;
        }
        pending.entries.addAll(entries);
        pending.bytes += bytes;
        if (++pending.acknowledged == taskCount) {
            Pending p = pending;
            timer.execute(() -> complete(p));
        }
    }

    /** A subtask could not snapshot checkpoint {@code id}: the checkpoint is aborted, the job goes on. */
    public void decline(long id, String reason) {
        timer.execute(() -> abort(id, reason));
    }

    /** A subtask finished: checkpoints stop (a finished subtask cannot acknowledge); the one in flight aborts. */
    public void subtaskFinished(String subtask) {
        timer.execute(() -> {
            synchronized (this) {
                stopped = true;
            }
            abortPending("subtask " + subtask + " finished");
        });
    }

    private void abortPending(String reason) {
        Pending p;
        synchronized (this) {
            p = pending;
        }
        if (p != null) {
            abort(p.id, reason);
        }
    }

    private void abort(long id, String reason) {
        Pending p;
        synchronized (this) {
            if (pending == null || pending.id != id) {
                return;
            }
            p = pending;
            pending = null;
        }
        config.storage().abort(p.directory);
        stats.recordFailure();
        p.done.completeExceptionally(new IllegalStateException("checkpoint " + id + " aborted: " + reason));
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
        } catch (Exception e) {
            abort(p.id, "its manifest could not be written: " + e);
            return;
        }
        synchronized (this) {
            pending = null;
        }
        stats.completed(p.id, (System.nanoTime() - p.startNanos) / 1_000_000, p.bytes);
        try {
            commit(manifest, sinks);
        } catch (Exception e) {
            p.done.completeExceptionally(new IllegalStateException("checkpoint " + p.id
                    + " is complete but a sink could not commit: " + e, e));
            return;
        }
        p.done.complete(p.id);
    }

    /** Commits each two-phase-commit sink's committables of a complete checkpoint. */
    public static void commit(Manifest manifest, Map<Integer, TwoPhaseCommitSink> sinks) throws Exception {
        for (Map.Entry<Integer, TwoPhaseCommitSink> sink : sinks.entrySet()) {
            List<byte[]> committables = new ArrayList<>();
            for (Manifest.Entry e : manifest.of(Manifest.Kind.COMMITTABLE, sink.getKey())) {
                committables.add(e.bytes());
            }
            if (!committables.isEmpty()) {
                sink.getValue().commit(committables);
            }
        }
    }

    /** Stops triggering, aborts a checkpoint in flight and waits for both threads to end. */
    @Override
    public void close() {
        synchronized (this) {
            stopped = true;
        }
        try {
            timer.submit(() -> abortPending("the job attempt ended")).get();
        } catch (Exception e) {
            // The timer is being shut down anyway.
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
