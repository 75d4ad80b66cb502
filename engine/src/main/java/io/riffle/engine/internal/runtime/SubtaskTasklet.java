package io.riffle.engine.internal.runtime;

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
 * everywhere runs nothing: it sends end of input at once.
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
    /** Per channel of the gate, the input of the chain's first operator it feeds. */
    private final int[] channelInput;
    /** Per input, whether its end was passed to the first operator; null for a source subtask. */
    private final boolean[] inputEnded;
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
    /** The barrier being aligned, 0 when none. */
    private long aligning;

    SubtaskTasklet(String name, int subtask, int parallelism, SourceReader reader, String sourceName, int sourceId,
                   OperatorMetrics sourceMetrics, InputGate gate, int[] channelInput, ChainLink[] links, Output entry,
                   ChannelWriter[] writers, SubtaskCheckpointer checkpointer, boolean restoredFinished) {
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
        int inputs = 0;
        if (channelInput != null) {
            for (int input : channelInput) {
                inputs = Math.max(inputs, input + 1);
            }
        }
        this.inputEnded = channelInput != null ? new boolean[inputs] : null;
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
                work = readSource();
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
                    links[0].emit(channelInput[channel], slot.batch());
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
            endChain();
            return false;
        }
        if (kind == SlotKind.BARRIER && checkpointer != null) {
            onBarrier(channel, slot.value());
            return true;
        }
        if (kind == SlotKind.WATERMARK) {
            long advanced = watermarks.onWatermark(channel, slot.value());
            if (advanced != Watermark.NONE) {
                pushWatermark(advanced);
            }
        }
        return !hasPending();
    }

    /** Tells the first operator of each input whose channels have all ended, once, before the chain ends. */
    private void passInputEnds() {
        if (links.length == 0 || gate.endedCount() == endsSeen) {
            return;
        }
        endsSeen = gate.endedCount();
        for (int input = 0; input < inputEnded.length; input++) {
            if (inputEnded[input]) {
                continue;
            }
            boolean all = true;
            for (int c = 0; c < channelInput.length && all; c++) {
                all = channelInput[c] != input || gate.isEnded(c);
            }
            if (all) {
                inputEnded[input] = true;
                links[0].endOfInput(input);
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
