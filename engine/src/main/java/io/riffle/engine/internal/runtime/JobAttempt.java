package io.riffle.engine.internal.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.riffle.engine.internal.checkpoint.CheckpointCoordinator;
import io.riffle.engine.internal.plan.Edge;
import io.riffle.engine.internal.plan.Partitioning;
import io.riffle.engine.internal.plan.PhysicalPlan;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.engine.internal.plan.Vertex;
import io.riffle.scheduler.Scheduler;
import io.riffle.scheduler.SchedulerConfig;
import io.riffle.scheduler.TaskletHandle;
import io.riffle.scheduler.channel.Channel;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a job ({@link JobRun} is the whole job, over its restarts): one run of a physical plan,
 * with its own allocator, scheduler (worker threads), channels and tasklets, which a {@link SubtaskAssembler}
 * builds. It ends when every tasklet finished, or when one failed or the job was cancelled (the others are
 * then cancelled); a monitor thread then stops the workers, frees the channels and checks that the
 * allocator is empty, and only then completes {@link #completion()}. Nothing of the job outlives that.
 */
public final class JobAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(JobAttempt.class);

    /** How the attempt ended, and how long it ran. */
    public record Outcome(Ending ending, long nanos) {
    }

    private final String jobName;
    private final AttemptSpec spec;
    private final RootAllocator allocator = new RootAllocator();
    private final List<Channel> channels = new ArrayList<>();
    private final List<TaskletHandle> handles = new ArrayList<>();
    private final List<OperatorMetrics> metrics = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CompletableFuture<Outcome> completion = new CompletableFuture<>();
    private volatile boolean cancelled;
    private Scheduler scheduler;
    private CheckpointCoordinator coordinator;
    private Thread monitor;
    private long startNanos;

    private JobAttempt(String jobName, AttemptSpec spec) {
        this.jobName = jobName;
        this.spec = spec;
    }

    /**
     * Builds every subtask (opening sources, sinks and operators here, and restoring their state, so that
     * setup errors throw) and starts them.
     */
    public static JobAttempt start(String jobName, PhysicalPlan plan, RuntimeConfig config, AttemptSpec spec) {
        JobAttempt job = new JobAttempt(jobName, spec);
        List<SubtaskTasklet> tasklets = new ArrayList<>();
        try {
            job.build(plan, config, tasklets);
        } catch (RuntimeException | Error e) {
            for (SubtaskTasklet t : tasklets) {
                t.onClose();
            }
            if (job.coordinator != null) {
                job.coordinator.close();
            }
            job.freeAll();
            throw e;
        }
        job.run(config, tasklets);
        LOG.debug("job '{}': an attempt started {} subtasks{}", jobName, tasklets.size(),
                spec.restore() == null ? "" : " from checkpoint " + spec.restore().id());
        return job;
    }

    private void build(PhysicalPlan plan, RuntimeConfig config, List<SubtaskTasklet> tasklets) {
        if (spec.checkpoints() != null) {
            int tasks = 0;
            for (Vertex v : plan.vertices()) {
                tasks += v.parallelism();
            }
            coordinator = new CheckpointCoordinator(jobName, spec.checkpoints(), spec.ids(), spec.planFingerprint(),
                    config.maxParallelism(), tasks, spec.participants(), spec.stats(),
                    cause -> onFailure("checkpoints", cause));
        }
        Map<Edge, Channel[][]> edgeChannels = new IdentityHashMap<>();
        for (Vertex v : plan.vertices()) {
            for (Edge e : v.inputs()) {
                edgeChannels.put(e, channelsOf(e, config.channelCapacity()));
            }
        }
        SubtaskAssembler assembler = new SubtaskAssembler(allocator, config, spec, edgeChannels, coordinator);
        for (Vertex v : plan.vertices()) {
            SubtaskAssembler.VertexParts parts = partsOf(v);
            for (int s = 0; s < v.parallelism(); s++) {
                tasklets.add(assembler.subtask(parts, s, tasklets.size()));
            }
        }
    }

    /** The vertex's metrics (registered with the job's), its operator ids, and whether it was restored finished. */
    private SubtaskAssembler.VertexParts partsOf(Vertex v) {
        OperatorMetrics sourceMetrics = null;
        if (v.source() != null) {
            sourceMetrics = new OperatorMetrics(v.sourceName(), v.parallelism(), true);
            metrics.add(sourceMetrics);
        }
        List<OperatorMetrics> chainMetrics = new ArrayList<>();
        for (Transformation t : v.chain()) {
            OperatorMetrics m = new OperatorMetrics(t.name(), v.parallelism(), false);
            chainMetrics.add(m);
            metrics.add(m);
        }
        int[] uids = uidsOf(v);
        boolean restoredFinished = spec.restore() != null && finishedEverywhere(uids);
        return new SubtaskAssembler.VertexParts(v, sourceMetrics, chainMetrics, uids, restoredFinished);
    }

    /** The vertex's source id, if it reads a source, and its chain's transformation ids. */
    private static int[] uidsOf(Vertex v) {
        int offset = v.source() != null ? 1 : 0;
        int[] uids = new int[offset + v.chain().size()];
        if (offset == 1) {
            uids[0] = v.sourceId();
        }
        for (int i = 0; i < v.chain().size(); i++) {
            uids[offset + i] = v.chain().get(i).id();
        }
        return uids;
    }

    private boolean finishedEverywhere(int[] uids) {
        for (int uid : uids) {
            if (!spec.restore().manifest().finishedEverywhere(uid)) {
                return false;
            }
        }
        return true;
    }

    private Channel[][] channelsOf(Edge e, int capacity) {
        int up = e.from().parallelism();
        int down = e.to().parallelism();
        Channel[][] result = new Channel[up][down];
        for (int u = 0; u < up; u++) {
            for (int d = 0; d < down; d++) {
                if (e.partitioning() != Partitioning.FORWARD || u == d) {
                    Channel c = new Channel(e.from().name() + "[" + u + "] -> " + e.to().name() + "[" + d + "]",
                            capacity);
                    channels.add(c);
                    result[u][d] = c;
                }
            }
        }
        return result;
    }

    private void run(RuntimeConfig config, List<SubtaskTasklet> tasklets) {
        SchedulerConfig sc = SchedulerConfig.defaults().withWorkers(config.workers()).withIdleMode(config.idleMode())
                .withFailureListener(this::onFailure).withShutdownTimeout(Duration.ofSeconds(10));
        if (config.pinned()) {
            sc = sc.pinned();
        }
        scheduler = new Scheduler(sc);
        startNanos = System.nanoTime();
        // Spread the subtasks over the workers in order, so that a vertex's subtasks land on different cores.
        int next = 0;
        synchronized (handles) {
            for (SubtaskTasklet t : tasklets) {
                handles.add(scheduler.submit(t, next));
                next = (next + 1) % scheduler.workerCount();
            }
        }
        CompletableFuture<?>[] done = new CompletableFuture<?>[handles.size()];
        for (int i = 0; i < done.length; i++) {
            done[i] = handles.get(i).done();
        }
        if (coordinator != null) {
            coordinator.start();
        }
        monitor = new Thread(() -> {
            CompletableFuture.allOf(done).exceptionally(e -> null).join();
            finish();
        }, "riffle-job-" + jobName);
        monitor.setDaemon(true);
        monitor.start();
    }

    private void onFailure(String tasklet, Throwable cause) {
        if (failure.compareAndSet(null, cause)) {
            // One line: the failure reaches the caller (or the restart) with its stack trace; DEBUG shows it here.
            LOG.warn("job '{}': {} failed, cancelling the other subtasks: {}", jobName, tasklet,
                    OperatorFailedException.messageOf(cause));
            LOG.debug("job '{}': {} failed", jobName, tasklet, cause);
            cancelAll();
        } else {
            LOG.debug("job '{}': {} failed too: {}", jobName, tasklet, OperatorFailedException.messageOf(cause));
        }
    }

    private void cancelAll() {
        synchronized (handles) {
            for (TaskletHandle h : handles) {
                h.cancel();
            }
        }
    }

    /** Cancels the job; {@link #completion()} completes once everything is stopped and freed. */
    public void cancel() {
        cancelled = true;
        cancelAll();
    }

    private void finish() {
        long nanos = System.nanoTime() - startNanos;
        Throwable teardown = null;
        try {
            scheduler.close();
        } catch (RuntimeException e) {
            teardown = e;
        }
        if (coordinator != null) {
            coordinator.close();
        }
        Throwable leak = freeAll();
        Throwable cause = failure.get();
        if (cause == null) {
            cause = teardown != null ? teardown : leak;
        }
        Ending ending = cause != null ? Ending.failed(cause) : cancelled ? Ending.CANCELLED : Ending.FINISHED;
        completion.complete(new Outcome(ending, nanos));
    }

    private Throwable freeAll() {
        for (Channel c : channels) {
            c.close();
        }
        long outstanding = allocator.getAllocatedMemory();
        try {
            allocator.close();
        } catch (RuntimeException e) {
            return new IllegalStateException("job '" + jobName + "' left " + outstanding
                    + " bytes of Arrow memory allocated: " + e.getMessage(), e);
        }
        return null;
    }

    /**
     * Completes once the job has ended and its workers, channels and memory are gone; the monitor thread
     * that completes it ends right after ({@link #awaitMonitor()}).
     */
    public CompletableFuture<Outcome> completion() {
        return completion;
    }

    /** Waits for the monitor thread to end, so that no thread of the job is left once this returns. */
    public void awaitMonitor() throws InterruptedException {
        monitor.join();
    }

    /** Starts a checkpoint (or savepoint) now; fails at once when the job does not checkpoint. */
    public CompletableFuture<Long> triggerCheckpoint(boolean savepoint) {
        if (coordinator == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("job '" + jobName
                    + "' does not checkpoint: enable checkpointing with a directory first"));
        }
        return coordinator.trigger(savepoint);
    }

    /** Records in and out per operator, live. */
    public List<OperatorMetrics> metrics() {
        return metrics;
    }
}
