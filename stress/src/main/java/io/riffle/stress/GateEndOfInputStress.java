package io.riffle.stress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.InputGate;
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
 * An input gate over two channels fed by one producer thread: watermark 1 and the end on the first,
 * then watermark 2 and the end on the second. The consumer polls the gate twice and writes what it saw as
 * digits in order: 1 and 2 for the watermarks, 9 for the gate's end of input, 8 for any other slot (stale or
 * unwritten); 0 when it saw nothing. The
 * gate ends only once both channels have, after everything they carried.
 */
@JCStressTest
@Description("An input gate delivers its end of input once, after every entry of every channel.")
@Outcome(id = {"0", "1", "2", "12", "21"}, expect = ACCEPTABLE, desc = "Not everything published yet when the consumer polled.")
@Outcome(id = {"129", "219"}, expect = ACCEPTABLE, desc = "Both watermarks, then the gate's end.")
@Outcome(expect = FORBIDDEN, desc = "The gate's end before a watermark, a second end, or a lost or repeated watermark.")
@State
public class GateEndOfInputStress {
    private final Channel first = new Channel("gate-first", 4);
    private final Channel second = new Channel("gate-second", 4);
    private final InputGate gate = new InputGate(first, second);
    private final Digits seen = new Digits();

    @Actor
    public void producer() {
        first.offerWatermark(1);
        first.offerEndOfInput();
        second.offerWatermark(2);
        second.offerEndOfInput();
    }

    @Actor
    public void consumer(J_Result r) {
        gate.poll(seen, 8);
        gate.poll(seen, 8);
        r.r1 = seen.digits;
    }

    @Arbiter
    public void close(J_Result r) {
        first.close();
        second.close();
    }

    /** Appends one digit per slot: the watermark's timestamp, 9 for the end of input, 8 for anything else. */
    static final class Digits implements SlotHandler {
        long digits;

        @Override
        public boolean onSlot(int channel, Slot slot) {
            digits = digits * 10 + digit(slot);
            return true;
        }

        private static long digit(Slot slot) {
            if (slot.kind() == SlotKind.WATERMARK && (slot.value() == 1 || slot.value() == 2)) {
                return slot.value();
            }
            // Not 0, which would vanish as a leading digit and make a stale first slot read as nothing seen.
            return slot.kind() == SlotKind.END_OF_INPUT ? 9 : 8;
        }
    }
}
