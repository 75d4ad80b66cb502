package io.riffle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
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
import org.openjdk.jcstress.infra.results.J_Result;

/**
 * The producer sends watermark 1, a batch holding pair 2, barrier 3 and the end of input; the watermark,
 * the barrier and the end each publish everything before them. The consumer polls twice and writes what it
 * saw as digits in order: 1 for the watermark, 2 for the batch, 3 for the barrier, 9 for the end, 8 for a
 * slot that is none of these as sent (stale, torn or unwritten); 0 when it saw nothing. Publication points make it see a prefix that ends at a
 * control event: nothing, 1, 123 or 1239.
 */
@JCStressTest
@Description("Slots arrive in the order sent; the end of input is never seen before an entry sent before it.")
@Outcome(id = "0", expect = ACCEPTABLE, desc = "Both polls before the first publication.")
@Outcome(id = "1", expect = ACCEPTABLE, desc = "The watermark, published at once; the rest not yet.")
@Outcome(id = "123", expect = ACCEPTABLE, desc = "Watermark, batch and barrier, published together by the barrier.")
@Outcome(id = "1239", expect = ACCEPTABLE, desc = "Everything, the end of input last.")
@Outcome(id = "12", expect = ACCEPTABLE_INTERESTING,
        desc = "The batch published before the barrier's flush: allowed (offers are visible at the latest at "
                + "a flush), but a ring of 4 never wraps here, so nothing should publish it early.")
@Outcome(expect = FORBIDDEN, desc = "A lost, duplicated, reordered or stale slot, or the end before the entries sent before it.")
@State
public class EndOfInputOrderStress {
    private final Channel channel = new Channel("end-of-input-order", 4);
    private final RecordBatch batch = StressBatches.allocate();
    private final Digits seen = new Digits();

    @Actor
    public void producer() {
        channel.offerWatermark(1);
        StressBatches.write(batch, 2);
        channel.offerBatch(batch);
        channel.offerBarrier(3);
        channel.offerEndOfInput();
    }

    @Actor
    public void consumer(J_Result r) {
        channel.poll(seen, 0, 8);
        channel.poll(seen, 0, 8);
        r.r1 = seen.digits;
    }

    @Arbiter
    public void close(J_Result r) {
        channel.close();
    }

    /** Appends one digit per slot. */
    static final class Digits implements SlotHandler {
        /** Not 0, which would vanish as a leading digit and make a stale first slot read as nothing seen. */
        private static final long STALE = 8;
        long digits;

        @Override
        public boolean onSlot(int channel, Slot slot) {
            digits = digits * 10 + digit(slot);
            return true;
        }

        private static long digit(Slot slot) {
            if (slot.kind() == SlotKind.BATCH && StressBatches.read(slot.batch()) == 2) {
                return 2;
            }
            if (slot.kind() == SlotKind.WATERMARK && slot.value() == 1) {
                return 1;
            }
            if (slot.kind() == SlotKind.BARRIER && slot.value() == 3) {
                return 3;
            }
            return slot.kind() == SlotKind.END_OF_INPUT ? 9 : STALE;
        }
    }
}
