package io.riffle.engine.internal.runtime;

import java.util.Arrays;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.SourceReader;
import io.riffle.scheduler.Tasklet;
import io.riffle.scheduler.channel.InputGate;
import io.riffle.scheduler.channel.Slot;
import io.riffle.scheduler.channel.SlotHandler;
import io.riffle.scheduler.channel.SlotKind;

/**
 * One subtask of a vertex: takes batches from its source reader or its input gate, pushes each through
 * the operator chain, and leaves the results with its channel writers. It takes no new input while a
 * writer still holds a batch the ring had no room for, which is how back-pressure reaches the source.
 * Once every input has ended it ends the chain (a batch aggregation emits here), sends end of input
 * downstream and finishes. A subtask restored from a checkpoint in which its operators had finished
 * everywhere runs nothing: it sends end of input at once. A source subtask may have input channels too:
 * the build sides of broadcast joins chained onto its source, which feed those joins in the middle of the
 * chain; it reads its source only once every such join takes its left side ({@link Operator#acceptsInput}).
 */
final class SubtaskTasklet implements Tasklet, SlotHandler {
    /** Batches taken per duty cycle: enough to amortise the cycle, few enough to stay fair to other tasklets. */
    private static final int BATCHES_PER_CYCLE = 8;

    private final String name;
    private final int subtask;
    private final int parallelism;
    private final SourceReader reader;
    private final String sourceName;
    private final int sourceId;
    private final OperatorMetrics sourceMetrics;
    private final InputGate gate;
    /** Per channel of the gate, the input of the operator it feeds. */
    private final int[] channelInput;
    /** Per channel of the gate, the position in the chain of the operator it feeds. */
    private final int[] channelLink;
    /** Per channel, its input's index into {@link #inputLink}, {@link #inputOf} and {@link #inputEnded}. */
    private final int[] channelGroup;
    /** Per input (an operator's input that channels feed), the operator's position and the input's number. */
    private final int[] inputLink;
    private final int[] inputOf;
    /** Per input, whether its end was passed to its operator. */
    private final boolean[] inputEnded;
    /** The operators a source subtask's input channels feed, which say when the source may be read. */
    private final ChainLink[] gating;
    private int endsSeen;
    private final ChainLink[] links;
    private final Output entry;
    private final ChannelWriter[] writers;
    private final SubtaskCheckpointer checkpointer;
    private final boolean restoredFinished;
    /** The input channels' watermarks; null for a source subtask. */
    private final InputWatermarks watermarks;
    /** The links whose operators want processing time. */
    private final ChainLink[] timed;
    /** The last watermark pushed into the chain. */
    private long watermark = Watermark.NONE;
    private boolean ended;
    /** Whether the chain's operators were started ({@link Operator#start}). */
    private boolean started;
    /** The barrier being aligned, 0 when none. */
    private long aligning;

    SubtaskTasklet(String name, int subtask, int parallelism, SourceReader reader, String sourceName, int sourceId,
                   OperatorMetrics sourceMetrics, InputGate gate, int[] channelInput, int[] channelLink, ChainLink[] links,
                   Output entry, ChannelWriter[] writers, SubtaskCheckpointer checkpointer, boolean restoredFinished) {
        this.name = name;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.reader = reader;
        this.sourceName = sourceName;
        this.sourceId = sourceId;
        this.checkpointer = checkpointer;
        this.sourceMetrics = sourceMetrics;
        this.gate = gate;
        this.channelInput = channelInput;
        this.channelLink = channelLink;
        int channels = channelInput == null ? 0 : channelInput.length;
        this.channelGroup = new int[channels];
        int[] linkOf = new int[channels];
        int[] numberOf = new int[channels];
        int inputs = 0;
        for (int c = 0; c < channels; c++) {
            int g = 0;
            while (g < inputs && (linkOf[g] != channelLink[c] || numberOf[g] != channelInput[c])) {
                g++;
            }
            if (g == inputs) {
                linkOf[g] = channelLink[c];
                numberOf[g] = channelInput[c];
                inputs++;
            }
            channelGroup[c] = g;
        }
        this.inputLink = Arrays.copyOf(linkOf, inputs);
        this.inputOf = Arrays.copyOf(numberOf, inputs);
        this.inputEnded = new boolean[inputs];
        this.gating = new ChainLink[reader != null ? inputs : 0];
        for (int g = 0; g < gating.length; g++) {
            gating[g] = links[inputLink[g]];
        }
        this.links = links;
        this.entry = entry;
        this.writers = writers;
        this.restoredFinished = restoredFinished;
        this.watermarks = gate != null ? new InputWatermarks(gate.channelCount()) : null;
        int count = 0;
        for (ChainLink link : links) {
            count += link.operator.usesProcessingTime() ? 1 : 0;
        }
        this.timed = new ChainLink[count];
        count = 0;
        for (ChainLink link : links) {
            if (link.operator.usesProcessingTime()) {
                timed[count++] = link;
            }
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
            for (ChainLink link : links) {
                link.start();
            }
        }
        if (restoredFinished && !ended) {
            endOutputs();
        }
        if (timed.length > 0 && !ended) {
            long now = System.nanoTime();
            for (ChainLink link : timed) {
                link.onProcessingTime(now);
            }
        }
        if (drainWriters() && !ended) {
            if (reader != null) {
                if (gate != null && !gate.isFinished()) {
                    work = gate.poll(this, BATCHES_PER_CYCLE);
                    passInputEnds();
                }
                if (sourceOpen()) {
                    work += readSource();
                }
            } else {
                work = gate.poll(this, BATCHES_PER_CYCLE);
                passInputEnds();
                if (aligning != 0 && !ended) {
                    completeAlignmentIfDone();
                }
            }
        }
        if (ended && drainWriters()) {
            flushWriters();
            return DONE;
        }
        flushWriters();
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

    private int readSource() throws Exception {
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
                batch = reader.next();
            } catch (Exception e) {
                throw new OperatorFailedException(sourceName, subtask, parallelism, e);
            }
            if (batch == null) {
                if (reader.isFinished()) {
                    endChain();
                }
                break;
            }
            work++;
            if (batch.rowCount() > 0) {
                sourceMetrics.addOut(subtask, batch.rowCount());
                entry.emit(batch);
            }
        }
        return work;
    }

    @Override
    public boolean onSlot(int channel, Slot slot) {
        SlotKind kind = slot.kind();
        if (kind == SlotKind.BATCH) {
            watermarks.onRecords(channel);
            try {
                if (links.length > 0) {
                    links[channelLink[channel]].emit(channelInput[channel], slot.batch());
                } else {
                    entry.emit(slot.batch());
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return !hasPending();
        }
        if (kind == SlotKind.END_OF_INPUT) {
            passInputEnds();
            if (reader == null) {
                endChain();
            }
            return false;
        }
        if (kind == SlotKind.BARRIER && checkpointer != null) {
            onBarrier(channel, slot.value());
            return true;
        }
        // A source subtask's event time is its source's: the build sides end (with the final watermark)
        // before the source is read.
        if (kind == SlotKind.WATERMARK && reader == null) {
            long advanced = watermarks.onWatermark(channel, slot.value());
            if (advanced != Watermark.NONE) {
                pushWatermark(advanced);
            }
        }
        return !hasPending();
    }

    /** Tells the operator of each input whose channels have all ended, once, before the chain ends. */
    private void passInputEnds() {
        if (links.length == 0 || gate.endedCount() == endsSeen) {
            return;
        }
        endsSeen = gate.endedCount();
        for (int g = 0; g < inputEnded.length; g++) {
            if (inputEnded[g]) {
                continue;
            }
            boolean all = true;
            for (int c = 0; c < channelGroup.length && all; c++) {
                all = channelGroup[c] != g || gate.isEnded(c);
            }
            if (all) {
                inputEnded[g] = true;
                links[inputLink[g]].endOfInput(inputOf[g]);
            }
        }
    }

    private void pushWatermark(long value) {
        if (value != Watermark.IDLE) {
            watermark = value;
        }
        try {
            entry.emitWatermark(value);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Aligns barrier {@code id}: the channel that delivered it is held back until every channel has (or
     * has ended), so that the snapshot holds exactly the records before the barrier on every input. A
     * barrier older than the one aligning belongs to a checkpoint that was aborted and is passed over; a
     * newer one means the one aligning was aborted, and alignment starts over.
     */
    private void onBarrier(int channel, long id) {
        if (id <= checkpointer.lastId || (aligning != 0 && id < aligning)) {
            return;
        }
        if (id > aligning) {
            unblockAll();
            aligning = id;
        }
        gate.block(channel);
        completeAlignmentIfDone();
    }

    private void completeAlignmentIfDone() {
        int waiting = 0;
        for (int c = 0; c < gate.channelCount(); c++) {
            if (!gate.isBlocked(c) && !gate.isEnded(c)) {
                waiting++;
            }
        }
        if (waiting == 0) {
            long id = aligning;
            aligning = 0;
            checkpoint(id);
            unblockAll();
        }
    }

    private void unblockAll() {
        for (int c = 0; c < gate.channelCount(); c++) {
            gate.unblock(c);
        }
    }

    /** Snapshots the chain (and the source's position) and sends the barrier on every output. */
    private void checkpoint(long id) {
        try {
            checkpointer.snapshot(id, reader, sourceId, links);
        } catch (OperatorFailedException e) {
            throw e;
        } catch (Exception e) {
            throw new OperatorFailedException(reader != null ? sourceName : name, subtask, parallelism, e);
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
        for (ChainLink link : links) {
            link.endInput();
        }
        endOutputs();
    }

    private void endOutputs() {
        for (ChannelWriter w : writers) {
            w.sendWatermark(Watermark.MAX);
            w.end();
        }
        ended = true;
        if (checkpointer != null) {
            checkpointer.finished(reader, sourceId);
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
        if (reader != null) {
            first = closeQuietly(reader, first);
        }
        for (ChainLink link : links) {
            first = closeQuietly(link.operator, first);
        }
        for (ChannelWriter w : writers) {
            w.close();
        }
        if (first != null) {
            throw new IllegalStateException(name + ": closing failed", first);
        }
    }

    private static Throwable closeQuietly(AutoCloseable c, Throwable first) {
        try {
            c.close();
        } catch (Exception | Error e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
        }
        return first;
    }
}
