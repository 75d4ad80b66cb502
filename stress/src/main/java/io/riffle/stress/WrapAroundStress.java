package io.riffle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.Slot;
import io.riffle.scheduler.channel.SlotHandler;
import io.riffle.scheduler.channel.SlotKind;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A ring of 2 carries {@link #BATCHES} batches (pairs 1, 2, ...) with a watermark after every second one and
 * the end of input last, so the ring wraps several times while both sides run. The producer works like a
 * producer tasklet: it fills batches the consumer handed back ({@link Channel#reclaim()}) before its spares,
 * and when an offer is refused it flushes (the end of its duty cycle) and tries again. The consumer polls
 * until the end of input and checks each slot against the one expected next. Both actors wait for each other
 * by spinning; they end once the other has run its part. Result: (batches seen, watermarks seen, index of the
 * first unexpected slot or -1).
 */
@JCStressTest
@Description("Across wrap-around of the ring no slot is lost, duplicated, reordered or stale, and a batch handed back is refilled only after the consumer is done with it.")
@Outcome(id = "6, 3, -1", expect = ACCEPTABLE, desc = "Every slot once, in order, with the rows written.")
@Outcome(expect = FORBIDDEN, desc = "A lost, duplicated, reordered or stale slot.")
@State
public class WrapAroundStress {
    static final int BATCHES = 6;

    private final Channel channel = new Channel("wrap-around", 2);
    /** Enough for the ring, the batch being filled and one in the hand-back queue. */
    private final RecordBatch[] spares = {StressBatches.allocate(), StressBatches.allocate(),
            StressBatches.allocate(), StressBatches.allocate()};
    private int sparesLeft = spares.length;
    private final Checker checker = new Checker();

    @Actor
    public void producer() {
        for (long v = 1; v <= BATCHES; v++) {
            RecordBatch batch = nextBatch();
            StressBatches.write(batch, v);
            while (!channel.offerBatch(batch)) {
                channel.flush();
                Thread.onSpinWait();
            }
            if (v % 2 == 0) {
                while (!channel.offerWatermark(v)) {
                    channel.flush();
                    Thread.onSpinWait();
                }
            }
        }
        while (!channel.offerEndOfInput()) {
            channel.flush();
            Thread.onSpinWait();
        }
    }

    private RecordBatch nextBatch() {
        while (true) {
            RecordBatch reclaimed = channel.reclaim();
            if (reclaimed != null) {
                return reclaimed;
            }
            if (sparesLeft > 0) {
                return spares[--sparesLeft];
            }
            channel.flush();
            Thread.onSpinWait();
        }
    }

    @Actor
    public void consumer(III_Result r) {
        while (!checker.ended) {
            if (channel.poll(checker, 0, 4) == 0) {
                Thread.onSpinWait();
            }
        }
        r.r1 = checker.batches;
        r.r2 = checker.watermarks;
        r.r3 = checker.firstWrong;
    }

    /** Frees the batches in the ring, handed back or never used. */
    @Arbiter
    public void close(III_Result r) {
        channel.close();
        for (int i = 0; i < sparesLeft; i++) {
            spares[i].close();
        }
    }

    /** Compares each slot with the one the producer sent at that position. */
    static final class Checker implements SlotHandler {
        /** What the producer sends: each batch by its pair's v, each watermark by its timestamp. */
        private static final SlotKind[] KINDS = {SlotKind.BATCH, SlotKind.BATCH, SlotKind.WATERMARK,
                SlotKind.BATCH, SlotKind.BATCH, SlotKind.WATERMARK, SlotKind.BATCH, SlotKind.BATCH,
                SlotKind.WATERMARK, SlotKind.END_OF_INPUT};
        private static final long[] VALUES = {1, 2, 2, 3, 4, 4, 5, 6, 6, 0};

        int batches;
        int watermarks;
        int firstWrong = -1;
        boolean ended;
        private int index;

        @Override
        public boolean onSlot(int channel, Slot slot) {
            long value;
            switch (slot.kind()) {
                case BATCH -> {
                    batches++;
                    value = StressBatches.read(slot.batch());
                }
                case WATERMARK -> {
                    watermarks++;
                    value = slot.value();
                }
                case END_OF_INPUT -> {
                    ended = true;
                    value = 0;
                }
                default -> value = -1;
            }
            boolean expected = index < KINDS.length && slot.kind() == KINDS[index] && value == VALUES[index];
            if (!expected && firstWrong < 0) {
                firstWrong = index;
            }
            index++;
            return !ended;
        }
    }
}
