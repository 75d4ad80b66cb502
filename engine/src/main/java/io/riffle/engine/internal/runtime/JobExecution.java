package io.riffle.engine.internal.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.internal.checkpoint.CheckpointCoordinator;
import io.riffle.engine.internal.checkpoint.Manifest;
import io.riffle.engine.internal.plan.Edge;
import io.riffle.engine.internal.plan.Partitioning;
import io.riffle.engine.internal.plan.PhysicalPlan;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.engine.internal.plan.Vertex;
import io.riffle.scheduler.Scheduler;
import io.riffle.scheduler.SchedulerConfig;
import io.riffle.scheduler.TaskletHandle;
import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.InputGate;
import org.apache.arrow.memory.RootAllocator;

/**
 * One run of a physical plan: its own allocator, scheduler (worker threads), channels and tasklets. It
 * ends when every tasklet finished, or when one failed or the job was cancelled (the others are then
 * cancelled); a monitor thread then stops the workers, frees the channels and checks that the allocator
 * is empty, and only then completes {@link #completion()}. Nothing of the job outlives that.
 */
public final class JobExecution {
    /** How a run ended; {@code failure} is null on success. */
    public record Outcome(boolean cancelled, Throwable failure, long nanos) {
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

    private JobExecution(String jobName, AttemptSpec spec) {
        this.jobName = jobName;
        this.spec = spec;
    }

    /** A plain run: no checkpoints, nothing restored. */
    public static JobExecution start(String jobName, PhysicalPlan plan, RuntimeConfig config) {
        return start(jobName, plan, config, AttemptSpec.plain());
    }

    /**
     * Builds every subtask (opening sources, sinks and operators here, and restoring their state, so that
     * setup errors throw) and starts them.
     */
    public static JobExecution start(String jobName, PhysicalPlan plan, RuntimeConfig config, AttemptSpec spec) {
        JobExecution job = new JobExecution(jobName, spec);
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
        return job;
    }

    private void build(PhysicalPlan plan, RuntimeConfig config, List<SubtaskTasklet> tasklets) {
        if (spec.checkpoints() != null) {
            int tasks = 0;
            for (Vertex v : plan.vertices()) {
                tasks += v.parallelism();
            }
            coordinator = new CheckpointCoordinator(jobName, spec.checkpoints(), spec.ids(), spec.planFingerprint(),
                    config.maxParallelism(), tasks, spec.sinks(), spec.stats(),
                    cause -> onFailure("checkpoints", cause));
        }
        Map<Edge, Channel[][]> edgeChannels = new IdentityHashMap<>();
        for (Vertex v : plan.vertices()) {
            for (Edge e : v.inputs()) {
                edgeChannels.put(e, channelsOf(e, config.channelCapacity()));
            }
        }
        for (Vertex v : plan.vertices()) {
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
            for (int s = 0; s < v.parallelism(); s++) {
                tasklets.add(subtask(v, s, tasklets.size(), uids, restoredFinished, config, edgeChannels,
                        sourceMetrics, chainMetrics));
            }
        }
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

    /**
     * Subtask {@code s} of {@code v}, task {@code task} of the job. One restored finished builds no
     * operators and no reader: it only ends its outputs.
     */
    private SubtaskTasklet subtask(Vertex v, int s, int task, int[] uids, boolean restoredFinished,
                                   RuntimeConfig config, Map<Edge, Channel[][]> edgeChannels,
                                   OperatorMetrics sourceMetrics, List<OperatorMetrics> chainMetrics) {
        int p = v.parallelism();
        List<ChannelWriter> writers = new ArrayList<>();
        List<Output> edgeOutputs = new ArrayList<>();
        for (Edge e : v.outputs()) {
            Channel[] row = edgeChannels.get(e)[s];
            BatchSchema schema = e.schema();
            Output edge;
            if (e.partitioning() == Partitioning.FORWARD) {
                ChannelWriter w = new ChannelWriter(row[s], schema, allocator, config.batchSize());
                writers.add(w);
                edge = new EdgeOutput.Forward(w);
            } else {
                ChannelWriter[] ws = new ChannelWriter[row.length];
                for (int d = 0; d < row.length; d++) {
                    ws[d] = new ChannelWriter(row[d], schema, allocator, config.batchSize());
                    writers.add(ws[d]);
                }
                edge = switch (e.partitioning()) {
                    case HASH -> new EdgeOutput.Hash(ws, e.keyField(), config.maxParallelism());
                    case BROADCAST -> new EdgeOutput.Broadcast(ws);
                    default -> new EdgeOutput.Rebalance(ws, s);
                };
            }
            edgeOutputs.add(e.sideOperator() < 0 ? edge : new SideOutput(edge, e.sideOperator(), e.sideIndex()));
        }
        Output tail = edgeOutputs.size() == 1 ? edgeOutputs.get(0) : new FanOut(edgeOutputs.toArray(new Output[0]));
        List<Transformation> chain = restoredFinished ? List.of() : v.chain();
        ChainLink[] links = new ChainLink[chain.size()];
        SourceReader reader = null;
        try {
            for (int i = 0; i < links.length; i++) {
                Transformation t = chain.get(i);
                Operator op = t.operator().get();
                links[i] = new ChainLink(op, t.name(), t.id(), chainMetrics.get(i), s, p);
                links[i].failures = spec.failures();
            }
            for (int i = 0; i < links.length; i++) {
                links[i].next = i + 1 < links.length ? links[i + 1] : tail;
                try {
                    links[i].operator.open(new SubtaskContext(links[i].name, s, p, allocator, config.batchSize(),
                            links[i].uid, spec.finalCommits(), config.maxParallelism(), links[i].metrics));
                    if (spec.restore() != null) {
                        links[i].operator.restoreState(stateOf(links[i].uid, s, p, config.maxParallelism()));
                    }
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("operator '" + links[i].name + "' could not start: "
                            + e.getMessage(), e);
                }
            }
            if (v.source() != null && !restoredFinished) {
                try {
                    SubtaskContext context = new SubtaskContext(v.sourceName(), s, p, allocator, config.batchSize(),
                            v.sourceId(), spec.finalCommits(), config.maxParallelism(), sourceMetrics);
                    reader = spec.restore() == null ? v.source().createReader(context)
                            : v.source().restoreReader(context, positionsOf(v.sourceId(), s, p));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("source '" + v.sourceName() + "' could not start: "
                            + e.getMessage(), e);
                }
            }
        } catch (RuntimeException | Error e) {
            for (ChainLink link : links) {
                if (link != null) {
                    try {
                        link.operator.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
        InputGate gate = null;
        int[] channelInput = null;
        int[] channelLink = null;
        if (!v.inputs().isEmpty()) {
            List<Channel> in = new ArrayList<>();
            List<Edge> edges = new ArrayList<>();
            for (Edge e : v.inputs()) {
                Channel[][] all = edgeChannels.get(e);
                for (Channel[] row : all) {
                    if (row[s] != null) {
                        in.add(row[s]);
                        edges.add(e);
                    }
                }
            }
            gate = new InputGate(in.toArray(new Channel[0]));
            channelInput = new int[edges.size()];
            channelLink = new int[edges.size()];
            for (int c = 0; c < channelInput.length; c++) {
                channelInput[c] = edges.get(c).input();
                channelLink[c] = edges.get(c).chainIndex();
            }
        }
        Output entry = links.length > 0 ? links[0] : tail;
        String name = v.name() + " [" + (s + 1) + "/" + p + "]";
        SubtaskCheckpointer checkpointer = null;
        if (coordinator != null) {
            checkpointer = new SubtaskCheckpointer(coordinator, spec, name, task, s, p, uids);
            if (v.source() != null) {
                coordinator.addSource(task, checkpointer::request);
            }
        }
        return new SubtaskTasklet(name, s, p, reader, v.sourceName(), v.sourceId(), sourceMetrics, gate, channelInput,
                channelLink, links, entry, writers.toArray(new ChannelWriter[0]), checkpointer, restoredFinished);
    }

    /** The positions of the old source subtasks {@code i} with {@code i mod p == s}, in order. */
    private List<byte[]> positionsOf(int source, int s, int p) {
        List<byte[]> out = new ArrayList<>();
        for (Manifest.Entry e : spec.restore().manifest().of(Manifest.Kind.POSITION, source)) {
            if (e.subtask() % p == s) {
                out.add(e.bytes());
            }
        }
        return out;
    }

    /** Every state file the operator's old subtasks wrote, and subtask {@code s}'s key groups. */
    private StateRestore stateOf(int uid, int s, int p, int maxParallelism) {
        List<Path> files = new ArrayList<>();
        for (Manifest.Entry e : spec.restore().manifest().of(Manifest.Kind.STATE_FILE, uid)) {
            files.add(spec.restore().directory().resolve(e.file()));
        }
        List<byte[]> inline = new ArrayList<>();
        for (Manifest.Entry e : spec.restore().manifest().of(Manifest.Kind.OPERATOR_STATE, uid)) {
            inline.add(e.bytes());
        }
        return new StateRestore(spec.restore().id(), files, inline, KeyGroupRange.ofPartition(s, maxParallelism, p));
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
            cancelAll();
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
        completion.complete(new Outcome(cancelled && failure.get() == null, cause, nanos));
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

    public String jobName() {
        return jobName;
    }

    /** When the subtasks started ({@link System#nanoTime()}). */
    public long startNanos() {
        return startNanos;
    }
}
