package io.riffle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.Slot;
import io.riffle.scheduler.channel.SlotKind;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIIII_Result;

/**
 * A ring of 2 and three watermarks: the producer offers 1, 2 and 3 once each while the consumer takes one
 * slot; the arbiter then drains what is left. The third offer is accepted only when the consumer's poll
 * freed a slot before it. Result: (offer 1 accepted, offer 2 accepted, offer 3 accepted, the watermark the
 * consumer took or 0, the watermarks the arbiter drained as digits in order); a slot that is not one of the
 * three watermarks as sent (stale or unwritten) counts as 8.
 */
@JCStressTest
@Description("A full ring refuses an offer and never overwrites a slot the consumer has not taken.")
@Outcome(id = "1, 1, 0, 0, 12", expect = ACCEPTABLE, desc = "Ring full, third refused; the consumer polled first or too late to see 1.")
@Outcome(id = "1, 1, 0, 1, 2", expect = ACCEPTABLE, desc = "Ring full, third refused; the consumer took 1 afterwards.")
@Outcome(id = "1, 1, 1, 1, 23", expect = ACCEPTABLE, desc = "The consumer took 1 before the third offer, which found room.")
@Outcome(expect = FORBIDDEN, desc = "A refusal with room, an accepted offer without room (an overwrite), or a lost or reordered watermark.")
@State
public class BackpressureStress {
    private final Channel channel = new Channel("backpressure", 2);

    @Actor
    public void producer(IIIII_Result r) {
        r.r1 = channel.offerWatermark(1) ? 1 : 0;
        r.r2 = channel.offerWatermark(2) ? 1 : 0;
        r.r3 = channel.offerWatermark(3) ? 1 : 0;
    }

    @Actor
    public void consumer(IIIII_Result r) {
        channel.poll((c, slot) -> {
            r.r4 = digit(slot);
            return true;
        }, 0, 1);
    }

    @Arbiter
    public void drain(IIIII_Result r) {
        channel.poll((c, slot) -> {
            r.r5 = r.r5 * 10 + digit(slot);
            return true;
        }, 0, 8);
        channel.close();
    }

    /** The watermark's timestamp, or 8 for a slot that is not one of the three watermarks as sent. */
    private static int digit(Slot slot) {
        long value = slot.value();
        return slot.kind() == SlotKind.WATERMARK && value >= 1 && value <= 3 ? (int) value : 8;
    }
}
