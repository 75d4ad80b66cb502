package io.riffle.engine.internal.runtime;

import java.util.List;
import java.util.Objects;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.SourceReader;
import io.riffle.scheduler.Tasklet;
import io.riffle.scheduler.channel.InputGate;
import io.riffle.scheduler.channel.Slot;
import io.riffle.scheduler.channel.SlotHandler;
import io.riffle.scheduler.channel.SlotKind;
import org.jspecify.annotations.Nullable;

/**
 * One subtask of a vertex: takes batches from its source reader or its input gate, pushes each through
 * the operator chain, and leaves the results with its channel writers. It takes no new input while a
 * writer still holds a batch the ring had no room for, which is how back-pressure reaches the source.
 * Once every input has ended it ends the chain (a batch aggregation emits here), sends end of input
 * downstream and finishes. A subtask restored from a checkpoint in which its operators had finished
 * everywhere runs nothing: it sends end of input at once. A source subtask may have input channels too:
 * the build sides of broadcast joins chained onto its source, which feed those joins in the middle of the
 * chain; it reads its source only once every such join takes its left side ({@link Operator#acceptsInput}).
 * Built with {@link #builder}.
 */
final class SubtaskTasklet implements Tasklet, SlotHandler {
    /** Batches taken per duty cycle: enough to amortise the cycle, few enough to stay fair to other tasklets. */
    private static final int BATCHES_PER_CYCLE = 8;

    /**
     * A source subtask's reader, the source's name and id (which names its positions in checkpoints and its side
     * outputs), its number of side outputs, and metrics.
     */
    record Source(SourceReader reader, String name, int id, int sideOutputs, OperatorMetrics metrics) {
    }

    private final String name;
    /** What a failure outside any operator (taking a checkpoint) is blamed on: the source, or the vertex. */
    private final String blamed;
    private final int subtask;
    private final int parallelism;
    private final @Nullable Source source;
    private final @Nullable SubtaskInputs inputs;
    private final @Nullable InputGate gate;
    /** The input channels' watermarks; null without input channels. */
    private final @Nullable InputWatermarks watermarks;
    /** Aligns barriers over the input channels; null without input channels or checkpoints. */
    private final @Nullable BarrierAligner aligner;
    /** The operators a source subtask's input channels feed, which say when the source may be read. */
    private final ChainLink[] gating;
    private final Chain chain;
    private final ChannelWriter[] writers;
    private final @Nullable SubtaskCheckpointer checkpointer;
    private final boolean restoredFinished;
    /** The last watermark pushed into the chain. */
    private long watermark = Watermark.NONE;
    /** Whether the source's reader last said that all its splits are idle. */
    private boolean sourceIdle;
    private boolean ended;
    /** Whether the chain's operators were started ({@link Operator#start}). */
    private boolean started;

    private SubtaskTasklet(Builder b) {
        this.name = b.name;
        this.blamed = b.source != null ? b.source.name() : b.vertexName;
        this.subtask = b.subtask;
        this.parallelism = b.parallelism;
        this.source = b.source;
        this.inputs = b.inputs;
        this.gate = inputs != null ? inputs.gate() : null;
        this.chain = Objects.requireNonNull(b.chain, "chain");
        this.writers = b.writers.toArray(new ChannelWriter[0]);
        this.checkpointer = b.checkpointer;
        this.restoredFinished = b.restoredFinished;
        this.watermarks = gate != null ? new InputWatermarks(gate.channelCount()) : null;
        this.aligner = gate != null && checkpointer != null ? new BarrierAligner(gate, this::checkpoint) : null;
        this.gating = source != null && inputs != null ? inputs.operatorsFed(chain) : new ChainLink[0];
    }

    /**
     * A subtask named {@code name} (as its tasklet: vertex and subtask number) of vertex {@code vertexName},
     * subtask {@code subtask} of {@code parallelism}.
     */
    static Builder builder(String name, String vertexName, int subtask, int parallelism) {
        return new Builder(name, vertexName, subtask, parallelism);
    }

    /** The parts of a subtask, by name; a chain is required, the rest is optional. */
    static final class Builder {
        private final String name;
        private final String vertexName;
        private final int subtask;
        private final int parallelism;
        private @Nullable Source source;
        private @Nullable SubtaskInputs inputs;
        private @Nullable Chain chain;
        private List<ChannelWriter> writers = List.of();
        private @Nullable SubtaskCheckpointer checkpointer;
        private boolean restoredFinished;

        private Builder(String name, String vertexName, int subtask, int parallelism) {
            this.name = name;
            this.vertexName = vertexName;
            this.subtask = subtask;
            this.parallelism = parallelism;
        }

        /** The source this subtask reads; none when it reads only its input channels. */
        Builder source(Source source) {
            this.source = source;
            return this;
        }

        Builder inputs(SubtaskInputs inputs) {
            this.inputs = inputs;
            return this;
        }

        Builder chain(Chain chain) {
            this.chain = chain;
            return this;
        }

        /** The writers of the outgoing channels, which the chain's end fills; the subtask flushes and ends them. */
        Builder writers(List<ChannelWriter> writers) {
            this.writers = writers;
            return this;
        }

        Builder checkpointer(SubtaskCheckpointer checkpointer) {
            this.checkpointer = checkpointer;
            return this;
        }

        /** The subtask's operators had finished everywhere in the restored checkpoint: it only ends its outputs. */
        Builder restoredFinished() {
            this.restoredFinished = true;
            return this;
        }

        SubtaskTasklet build() {
            if (source == null && inputs == null && !restoredFinished) {
                throw new IllegalStateException("subtask " + name + " has neither a source nor input channels");
            }
            return new SubtaskTasklet(this);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int doWork() throws Exception {
        int work = 0;
        if (!started) {
            started = true;
            chain.start();
        }
        if (restoredFinished && !ended) {
            endOutputs();
        }
        if (chain.usesProcessingTime() && !ended) {
            chain.onProcessingTime(System.nanoTime());
        }
        if (drainWriters() && !ended) {
            if (gate != null && !gate.isFinished()) {
                work = pollInputs();
            }
            if (source != null && sourceOpen()) {
                work += readSource(source);
            }
        }
        if (ended && drainWriters()) {
            flushWriters();
            return DONE;
        }
        flushWriters();
        return work;
    }

    /**
     * Takes what the input channels hold. A channel's end is seen by the gate only, so afterwards the inputs
     * whose channels all ended are passed on, and an alignment that ended channels no longer hold back
     * completes: for a source subtask's build sides too, whose alignment once stayed blocked for good when a
     * channel ended without the barrier (its subtask finished first), and the source was then never read.
     */
    private int pollInputs() {
        int work = gate.poll(this, BATCHES_PER_CYCLE);
        inputs.passInputEnds(chain);
        if (aligner != null && !ended) {
            aligner.onChannelsEnded();
        }
        return work;
    }

    /** Whether every operator fed by an input channel of this source subtask takes what the source reads. */
    private boolean sourceOpen() {
        for (ChainLink link : gating) {
            if (!link.operator.acceptsInput(0)) {
                return false;
            }
        }
        return true;
    }

    private int readSource(Source source) {
        int work = 0;
        while (work < BATCHES_PER_CYCLE && !hasPending()) {
            if (checkpointer != null) {
                long barrier = checkpointer.due();
                if (barrier != 0) {
                    checkpoint(barrier);
                }
            }
            RecordBatch batch;
            try {
                batch = source.reader().next();
            } catch (Throwable e) {
                throw OperatorFailedException.of(source.name(), subtask, parallelism, e);
            }
            passSideBatches(source);
            if (batch == null) {
                if (source.reader().isFinished()) {
                    endChain();
                } else {
                    passSourceWatermark(source.reader());
                }
                break;
            }
            work++;
            if (batch.rowCount() > 0) {
                source.metrics().addOut(subtask, batch.rowCount());
                chain.emit(batch);
            }
            passSourceWatermark(source.reader());
        }
        return work;
    }

    /** Sends what the last read set aside for the source's side outputs down their edges. */
    private void passSideBatches(Source source) {
        for (int i = 0; i < source.sideOutputs(); i++) {
            RecordBatch side;
            try {
                side = source.reader().sideBatch(i);
            } catch (Throwable e) {
                throw OperatorFailedException.of(source.name(), subtask, parallelism, e);
            }
            if (side != null && side.rowCount() > 0) {
                chain.emitSide(source.id(), i, side);
            }
        }
    }

    /**
     * Pushes the watermark a reader makes itself when it rose, or turned idle. An idle source becomes active
     * again downstream with its next record, so a watermark that did not rise past the last one is not resent.
     */
    private void passSourceWatermark(SourceReader reader) {
        long value = reader.watermark();
        if (value == SourceReader.IDLE) {
            if (!sourceIdle) {
                sourceIdle = true;
                pushWatermark(Watermark.IDLE);
            }
        } else if (value > watermark) {
            sourceIdle = false;
            pushWatermark(value);
        } else if (value != SourceReader.NO_WATERMARK) {
            sourceIdle = false;
        }
    }

    @Override
    public boolean onSlot(int channel, Slot slot) {
        SlotKind kind = slot.kind();
        if (kind == SlotKind.BATCH) {
            watermarks.onRecords(channel);
            chain.emit(inputs.linkOf(channel), inputs.inputOf(channel), slot.batch());
            return !hasPending();
        }
        if (kind == SlotKind.END_OF_INPUT) {
            inputs.passInputEnds(chain);
            if (source == null) {
                endChain();
            }
            return false;
        }
        if (kind == SlotKind.BARRIER && aligner != null) {
            aligner.onBarrier(channel, slot.value(), checkpointer.lastId);
            return true;
        }
        // A source subtask's event time is its source's: the build sides end (with the final watermark)
        // before the source is read.
        if (kind == SlotKind.WATERMARK && source == null) {
            long advanced = watermarks.onWatermark(channel, slot.value());
            if (advanced != Watermark.NONE) {
                pushWatermark(advanced);
            }
        }
        return !hasPending();
    }

    private void pushWatermark(long value) {
        if (value != Watermark.IDLE) {
            watermark = value;
        }
        chain.emitWatermark(value);
    }

    /** Snapshots the chain (and the source's position) and sends the barrier on every output. */
    private void checkpoint(long id) {
        try {
            checkpointer.snapshot(id, source, chain.links());
        } catch (Throwable e) {
            throw OperatorFailedException.of(blamed, subtask, parallelism, e);
        }
        for (ChannelWriter w : writers) {
            w.sendBarrier(id);
        }
    }

    /** End of input follows a final watermark, so that every event-time window and timer fires first. */
    private void endChain() {
        if (watermark != Watermark.MAX) {
            pushWatermark(Watermark.MAX);
        }
        chain.endInput();
        endOutputs();
    }

    private void endOutputs() {
        for (ChannelWriter w : writers) {
            w.sendWatermark(Watermark.MAX);
            w.end();
        }
        ended = true;
        if (checkpointer != null) {
            checkpointer.finished(source);
        }
    }

    private boolean hasPending() {
        for (ChannelWriter w : writers) {
            if (w.hasPending()) {
                return true;
            }
        }
        return false;
    }

    private boolean drainWriters() {
        boolean drained = true;
        for (ChannelWriter w : writers) {
            drained &= w.drain();
        }
        return drained;
    }

    private void flushWriters() {
        for (ChannelWriter w : writers) {
            w.flush();
        }
    }

    /** Frees the reader, the operators and unsent batches, whether the subtask finished, failed or was cancelled. */
    @Override
    public void onClose() {
        Throwable first = null;
        if (source != null) {
            first = Closing.close(source.reader(), first);
        }
        first = chain.close(first);
        for (ChannelWriter w : writers) {
            w.close();
        }
        if (first != null) {
            throw new IllegalStateException(name + ": closing failed", first);
        }
    }
}
