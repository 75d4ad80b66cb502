package io.riffle.engine.internal.runtime;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.internal.checkpoint.CheckpointCoordinator;
import io.riffle.engine.internal.checkpoint.Manifest;
import io.riffle.engine.internal.plan.Edge;
import io.riffle.engine.internal.plan.Partitioning;
import io.riffle.engine.internal.plan.Transformation;
import io.riffle.engine.internal.plan.Vertex;
import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.InputGate;
import org.apache.arrow.memory.BufferAllocator;
import org.jspecify.annotations.Nullable;

/**
 * Builds the subtasks of one attempt, part by part: the writers and outputs of its outgoing edges, its chain
 * (operators created, opened and restored), its source reader (created or restored), its input channels and
 * its checkpointer. Opening and restoring happen here, so that setup errors throw before anything runs.
 */
final class SubtaskAssembler {
    /**
     * What every subtask of a vertex shares: the source's and the chain's metrics, the ids a finished mark
     * names (the source's, if any, then the chain's), and whether the restored checkpoint had them finished.
     */
    record VertexParts(Vertex vertex, @Nullable OperatorMetrics sourceMetrics, List<OperatorMetrics> chainMetrics,
                       int[] uids, boolean restoredFinished) {
    }

    private final BufferAllocator allocator;
    private final RuntimeConfig config;
    private final AttemptSpec spec;
    /** Per edge, its channels by upstream then downstream subtask; null where a forward edge has none. */
    private final Map<Edge, Channel[][]> edgeChannels;
    private final @Nullable CheckpointCoordinator coordinator;

    SubtaskAssembler(BufferAllocator allocator, RuntimeConfig config, AttemptSpec spec,
                     Map<Edge, Channel[][]> edgeChannels, @Nullable CheckpointCoordinator coordinator) {
        this.allocator = allocator;
        this.config = config;
        this.spec = spec;
        this.edgeChannels = edgeChannels;
        this.coordinator = coordinator;
    }

    /**
     * Subtask {@code s} of {@code parts.vertex()}, task {@code task} of the job. One restored finished builds
     * no operators and no reader: it only ends its outputs.
     */
    SubtaskTasklet subtask(VertexParts parts, int s, int task) {
        Vertex v = parts.vertex();
        int p = v.parallelism();
        String name = v.name() + " [" + (s + 1) + "/" + p + "]";
        SubtaskTasklet.Builder subtask = SubtaskTasklet.builder(name, v.name(), s, p);
        List<ChannelWriter> writers = new ArrayList<>();
        Output end = outputs(v, s, writers);
        subtask.writers(writers);
        String head = v.source() != null ? v.sourceName() : v.name();
        if (parts.restoredFinished()) {
            subtask.chain(Chain.of(List.of(), end, head, s, p, null)).restoredFinished();
        } else {
            Chain chain = chain(v, s, parts.chainMetrics(), end, head);
            subtask.chain(chain);
            if (v.source() != null) {
                try {
                    subtask.source(new SubtaskTasklet.Source(reader(v, s, parts.sourceMetrics()), v.sourceName(),
                            v.sourceId(), v.source().sideOutputs().size(), parts.sourceMetrics()));
                } catch (RuntimeException | Error e) {
                    Throwable closing = chain.close(null);
                    if (closing != null) {
                        e.addSuppressed(closing);
                    }
                    throw e;
                }
            }
        }
        if (!v.inputs().isEmpty()) {
            subtask.inputs(inputs(v, s));
        }
        if (coordinator != null) {
            SubtaskCheckpointer checkpointer = new SubtaskCheckpointer(coordinator, spec, name, task, s, p,
                    parts.uids());
            if (v.source() != null) {
                coordinator.addSource(task, checkpointer::request);
            }
            subtask.checkpointer(checkpointer);
        }
        return subtask.build();
    }

    /** The chain's end: one output per outgoing edge (adding their writers to {@code writers}), fanned out. */
    private Output outputs(Vertex v, int s, List<ChannelWriter> writers) {
        List<Output> edgeOutputs = new ArrayList<>();
        for (Edge e : v.outputs()) {
            Channel[] row = edgeChannels.get(e)[s];
            Output edge;
            if (e.partitioning() == Partitioning.FORWARD) {
                ChannelWriter w = new ChannelWriter(row[s], e.schema(), allocator, config.batchSize());
                writers.add(w);
                edge = new EdgeOutput.Forward(w);
            } else {
                ChannelWriter[] ws = new ChannelWriter[row.length];
                for (int d = 0; d < row.length; d++) {
                    ws[d] = new ChannelWriter(row[d], e.schema(), allocator, config.batchSize());
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
        return edgeOutputs.size() == 1 ? edgeOutputs.get(0) : new FanOut(edgeOutputs.toArray(new Output[0]));
    }

    /** The vertex's operators for subtask {@code s}, opened and (when restoring) restored; closed again on failure. */
    private Chain chain(Vertex v, int s, List<OperatorMetrics> metrics, Output end, String head) {
        int p = v.parallelism();
        List<Chain.Member> members = new ArrayList<>();
        try {
            for (int i = 0; i < v.chain().size(); i++) {
                Transformation t = v.chain().get(i);
                members.add(new Chain.Member(t.operator().get(), t.name(), t.id(), metrics.get(i)));
            }
            for (Chain.Member m : members) {
                open(m, s, p);
            }
        } catch (RuntimeException | Error e) {
            for (Chain.Member m : members) {
                Throwable closing = Closing.close(m.operator(), null);
                if (closing != null) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        return Chain.of(members, end, head, s, p, spec.failures());
    }

    private void open(Chain.Member m, int s, int p) {
        try {
            m.operator().open(context(m.name(), s, p, m.uid(), m.metrics()));
            if (spec.restore() != null) {
                m.operator().restoreState(stateOf(m.uid(), s, p));
            }
        } catch (Exception e) {
            throw couldNotStart("operator '" + m.name() + "'", e);
        }
    }

    /** The source's reader for subtask {@code s}: new, or at the restored positions of the subtasks it takes over. */
    private SourceReader reader(Vertex v, int s, OperatorMetrics metrics) {
        int p = v.parallelism();
        try {
            SubtaskContext context = context(v.sourceName(), s, p, v.sourceId(), metrics);
            return spec.restore() == null ? v.source().createReader(context)
                    : v.source().restoreReader(context, positionsOf(v.sourceId(), s, p));
        } catch (Exception e) {
            throw couldNotStart("source '" + v.sourceName() + "'", e);
        }
    }

    /**
     * What {@code what} threw while opening or restoring, to throw from the job's start: an unchecked exception
     * as it is (its message names what is wrong), a checked one (an I/O error) wrapped naming {@code what}.
     */
    private static RuntimeException couldNotStart(String what, Exception e) {
        if (e instanceof RuntimeException unchecked) {
            return unchecked;
        }
        return new IllegalStateException(what + " could not start: " + e.getMessage(), e);
    }

    private SubtaskContext context(String operatorName, int s, int p, int uid, OperatorMetrics metrics) {
        return SubtaskContext.builder(operatorName, allocator).subtask(s, p).batchSize(config.batchSize()).uid(uid)
                .finalCommits(spec.finalCommits()).maxParallelism(config.maxParallelism()).metrics(metrics).build();
    }

    /** Subtask {@code s}'s input channels, in edge order, each with the operator input it feeds. */
    private SubtaskInputs inputs(Vertex v, int s) {
        List<Channel> channels = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (Edge e : v.inputs()) {
            for (Channel[] row : edgeChannels.get(e)) {
                if (row[s] != null) {
                    channels.add(row[s]);
                    edges.add(e);
                }
            }
        }
        int[] channelLink = new int[edges.size()];
        int[] channelInput = new int[edges.size()];
        for (int c = 0; c < channelLink.length; c++) {
            channelLink[c] = edges.get(c).chainIndex();
            channelInput[c] = edges.get(c).input();
        }
        return new SubtaskInputs(new InputGate(channels.toArray(new Channel[0])), channelLink, channelInput);
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
    private StateRestore stateOf(int uid, int s, int p) {
        List<Path> files = new ArrayList<>();
        for (Manifest.Entry e : spec.restore().manifest().of(Manifest.Kind.STATE_FILE, uid)) {
            files.add(spec.restore().directory().resolve(e.file()));
        }
        List<byte[]> inline = new ArrayList<>();
        for (Manifest.Entry e : spec.restore().manifest().of(Manifest.Kind.OPERATOR_STATE, uid)) {
            inline.add(e.bytes());
        }
        return new StateRestore(spec.restore().id(), files, inline,
                KeyGroupRange.ofPartition(s, config.maxParallelism(), p));
    }
}
