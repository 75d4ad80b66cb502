package io.riffle.engine.internal.runtime;

import java.util.List;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.FailureInjector;
import org.jspecify.annotations.Nullable;

/**
 * The operators one subtask runs, in order, each feeding the next and the last feeding the chain's end (the
 * outgoing edges). It builds its links and wires them; a chain restored finished has no operators, and what
 * enters it goes straight to its end. A failure is tagged with the operator it came from; one at the end of
 * an empty chain with {@code head}, what feeds the chain (the subtask's source, or its vertex).
 */
final class Chain {
    /** One operator of a chain: the operator, its name, its transformation id (which names its state) and metrics. */
    record Member(Operator operator, String name, int uid, OperatorMetrics metrics) {
    }

    private final ChainLink[] links;
    /** The links whose operators want processing time. */
    private final ChainLink[] timed;
    /** Where a batch entering the chain goes: the first link, or the end when there is none. */
    private final Output entry;
    private final String head;
    private final int subtask;
    private final int parallelism;

    private Chain(ChainLink[] links, Output entry, String head, int subtask, int parallelism) {
        this.links = links;
        this.entry = entry;
        this.head = head;
        this.subtask = subtask;
        this.parallelism = parallelism;
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

    /**
     * The chain of {@code members}, in order, in subtask {@code subtask} of {@code parallelism}, ending in
     * {@code end}; {@code head} names what feeds it, for a failure at the end of a chain without operators.
     */
    static Chain of(List<Member> members, Output end, String head, int subtask, int parallelism,
                    @Nullable FailureInjector failures) {
        ChainLink[] links = new ChainLink[members.size()];
        Output next = end;
        for (int i = links.length - 1; i >= 0; i--) {
            links[i] = new ChainLink(members.get(i), subtask, parallelism, failures, next);
            next = links[i];
        }
        return new Chain(links, next, head, subtask, parallelism);
    }

    boolean isEmpty() {
        return links.length == 0;
    }

    /** The operator at position {@code index}. */
    ChainLink link(int index) {
        return links[index];
    }

    /** Every link, in order; the array is the chain's own: read it, do not change it. */
    ChainLink[] links() {
        return links;
    }

    /** Whether an operator of the chain wants {@link #onProcessingTime}. */
    boolean usesProcessingTime() {
        return timed.length > 0;
    }

    /** Before any input: see {@link Operator#start}. */
    void start() {
        for (ChainLink link : links) {
            link.start();
        }
    }

    /** A batch the subtask's source read, into the chain's first operator. */
    void emit(RecordBatch batch) {
        emit(0, 0, batch);
    }

    /** A batch of input {@code input} of the operator at {@code link}; at the chain's end when it has none. */
    void emit(int link, int input, RecordBatch batch) {
        if (links.length > 0) {
            links[link].emit(input, batch);
            return;
        }
        try {
            entry.emit(batch);
        } catch (Throwable e) {
            throw OperatorFailedException.of(head, subtask, parallelism, e);
        }
    }

    /** A batch the subtask's source set aside for its side output {@code index}; {@code source} is its id. */
    void emitSide(int source, int index, RecordBatch batch) {
        try {
            entry.emitSide(source, index, batch);
        } catch (Throwable e) {
            throw OperatorFailedException.of(head, subtask, parallelism, e);
        }
    }

    void emitWatermark(long watermark) {
        try {
            entry.emitWatermark(watermark);
        } catch (Throwable e) {
            throw OperatorFailedException.of(head, subtask, parallelism, e);
        }
    }

    /** Processing time has moved on to {@code nanoTime}: tells the operators that asked for it. */
    void onProcessingTime(long nanoTime) {
        for (ChainLink link : timed) {
            link.onProcessingTime(nanoTime);
        }
    }

    /** Every input has ended: each operator in turn emits what it has left (see {@link Operator#endInput}). */
    void endInput() {
        for (ChainLink link : links) {
            link.endInput();
        }
    }

    /** Closes every operator, even when one fails; returns {@code first}, or else the first failure of closing. */
    @Nullable Throwable close(@Nullable Throwable first) {
        for (ChainLink link : links) {
            first = Closing.close(link.operator, first);
        }
        return first;
    }
}
