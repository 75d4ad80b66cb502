package io.riffle.engine.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import io.riffle.scheduler.channel.Channel;
import io.riffle.scheduler.channel.InputGate;
import io.riffle.scheduler.channel.SlotKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Barrier sequences over real channels and an input gate, driven as a subtask drives them: barriers to the
 * aligner, watermarks standing for records, and the aligner told after each poll that channels may have
 * ended. What happened is written down in order: {@code c0:w5} (a watermark of channel 0 delivered),
 * {@code c1:b2} (barrier 2 of channel 1 delivered), {@code checkpoint 2} (taken).
 */
class BarrierAlignerTest {
    private final List<String> events = new ArrayList<>();
    private final List<Long> taken = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private InputGate gate;
    private BarrierAligner aligner;

    private void channels(int count) {
        Channel[] cs = new Channel[count];
        for (int c = 0; c < count; c++) {
            cs[c] = new Channel("c" + c, 16);
            channels.add(cs[c]);
        }
        gate = new InputGate(cs);
        aligner = new BarrierAligner(gate, id -> {
            taken.add(id);
            events.add("checkpoint " + id);
        });
    }

    @AfterEach
    void closeChannels() {
        for (Channel c : channels) {
            c.close();
        }
    }

    private long lastTaken() {
        return taken.isEmpty() ? 0 : taken.get(taken.size() - 1);
    }

    /** Delivers whatever the unblocked channels hold, as the subtask's poll does. */
    private void poll() {
        gate.poll((channel, slot) -> {
            if (slot.kind() == SlotKind.BARRIER) {
                events.add("c" + channel + ":b" + slot.value());
                aligner.onBarrier(channel, slot.value(), lastTaken());
            } else if (slot.kind() == SlotKind.WATERMARK) {
                events.add("c" + channel + ":w" + slot.value());
            }
            return true;
        }, 64);
        aligner.onChannelsEnded();
    }

    private void barrier(int channel, long id) {
        assertTrue(channels.get(channel).offerBarrier(id));
    }

    private void record(int channel, long stand) {
        assertTrue(channels.get(channel).offerWatermark(stand));
    }

    private void end(int channel) {
        assertTrue(channels.get(channel).offerEndOfInput());
    }

    @Test
    void aChannelThatDeliveredTheBarrierIsHeldBackUntilEveryChannelHasAndTheCheckpointIsTakenOnce() {
        channels(2);
        barrier(0, 1);
        record(0, 10);
        poll();
        assertEquals(List.of("c0:b1"), events, "channel 0 is blocked: its record after the barrier waits");
        assertTrue(gate.isBlocked(0));
        assertEquals(1, aligner.aligning());

        record(1, 5);
        poll();
        assertEquals(List.of("c0:b1", "c1:w5"), events, "channel 1's record before its barrier goes through");

        barrier(1, 1);
        record(1, 11);
        poll();
        assertEquals(List.of(1L), taken);
        assertEquals("checkpoint 1", events.get(3), "taken right on the last barrier: " + events);
        assertEquals(List.of("c0:b1", "c1:w5", "c1:b1", "checkpoint 1"), events.subList(0, 4));
        assertFalse(gate.isBlocked(0));
        assertFalse(gate.isBlocked(1));
        assertEquals(BarrierAligner.NONE, aligner.aligning());

        poll();
        assertEquals(List.of("c0:w10", "c1:w11"), events.subList(4, 6).stream().sorted().toList(),
                "after the checkpoint both channels go on");
        assertEquals(List.of(1L), taken, "once");
    }

    @Test
    void oneChannelTakesTheCheckpointOnItsBarrier() {
        channels(1);
        barrier(0, 3);
        record(0, 7);
        poll();
        assertEquals(List.of("c0:b3", "checkpoint 3", "c0:w7"), events);
        assertFalse(gate.isBlocked(0));
    }

    @Test
    void aChannelEndingDuringAlignmentNoLongerHoldsItBack() {
        channels(3);
        barrier(0, 1);
        barrier(1, 1);
        poll();
        assertEquals(List.of(), taken, "channel 2 has neither delivered the barrier nor ended");
        assertTrue(gate.isBlocked(0));
        assertTrue(gate.isBlocked(1));

        end(2);
        poll();
        assertEquals(List.of(1L), taken);
        assertFalse(gate.isBlocked(0));
        assertFalse(gate.isBlocked(1));
        assertEquals(BarrierAligner.NONE, aligner.aligning());
    }

    @Test
    void aBarrierAfterTheOtherChannelsEndedIsTakenAtOnce() {
        channels(2);
        end(1);
        poll();
        assertEquals(1, gate.endedCount());
        barrier(0, 4);
        record(0, 9);
        poll();
        assertEquals(List.of("c0:b4", "checkpoint 4", "c0:w9"), events);
    }

    @Test
    void aNewerBarrierAbortsTheAlignmentOfTheOlderWhichIsThenPassedOver() {
        channels(3);
        barrier(0, 1);
        poll();
        assertTrue(gate.isBlocked(0));

        barrier(1, 2);
        poll();
        assertEquals(2, aligner.aligning(), "checkpoint 1 was aborted");
        assertFalse(gate.isBlocked(0), "channel 0 delivered only the aborted barrier");
        assertTrue(gate.isBlocked(1));

        barrier(2, 1);
        poll();
        assertFalse(gate.isBlocked(2), "the aborted checkpoint's barrier is passed over");
        assertEquals(List.of(), taken);

        barrier(0, 2);
        poll();
        assertEquals(List.of(), taken, "channel 2 has not delivered barrier 2 yet");
        barrier(2, 2);
        poll();
        assertEquals(List.of(2L), taken, "only the newer checkpoint is taken, once");
        for (int c = 0; c < 3; c++) {
            assertFalse(gate.isBlocked(c));
        }
    }

    @Test
    void aBarrierOfACheckpointAlreadyTakenIsPassedOver() {
        channels(2);
        barrier(0, 1);
        barrier(1, 1);
        poll();
        assertEquals(List.of(1L), taken);

        barrier(0, 1);
        record(0, 3);
        poll();
        assertFalse(gate.isBlocked(0));
        assertEquals(BarrierAligner.NONE, aligner.aligning());
        assertEquals(List.of(1L), taken);
        assertEquals("c0:w3", events.get(events.size() - 1), "the channel goes on");
    }

    @Test
    void aBarrierOlderThanTheOneAligningDoesNotBlockItsChannel() {
        channels(2);
        barrier(0, 5);
        poll();
        barrier(1, 4);
        record(1, 8);
        poll();
        assertFalse(gate.isBlocked(1));
        assertTrue(gate.isBlocked(0));
        assertEquals(5, aligner.aligning());
        assertEquals(List.of("c0:b5", "c1:b4", "c1:w8"), events);
        assertEquals(List.of(), taken);
    }
}
