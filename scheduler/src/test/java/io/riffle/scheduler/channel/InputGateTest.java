package io.riffle.scheduler.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.scheduler.IdleMode;
import io.riffle.scheduler.Scheduler;
import io.riffle.scheduler.SchedulerConfig;
import io.riffle.scheduler.Tasklet;
import io.riffle.scheduler.TaskletHandle;
import io.riffle.columnar.ArrowTest;
import org.junit.jupiter.api.Test;

class InputGateTest extends ArrowTest {
    @Test
    void pollsChannelsInTurn() {
        Channel[] channels = {new Channel("a", 16), new Channel("b", 16), new Channel("c", 16)};
        for (Channel ch : channels) {
            for (int w = 0; w < 4; w++) {
                ch.offerWatermark(w);
            }
        }
        InputGate gate = new InputGate(channels);
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            gate.poll((c, slot) -> {
                order.append(c);
                return true;
            }, 1);
        }
        assertEquals("012012", order.toString(), "each poll starts one channel further");
    }

    @Test
    void holdsBackABlockedChannelWhileTheOthersGoOn() {
        Channel left = new Channel("left", 16);
        Channel right = new Channel("right", 16);
        left.offerWatermark(1);
        left.offerBarrier(7);
        left.offerWatermark(2);
        right.offerWatermark(10);
        right.offerWatermark(11);
        right.offerBarrier(7);
        InputGate gate = new InputGate(left, right);
        List<String> seen = new ArrayList<>();
        SlotHandler aligner = (c, slot) -> {
            seen.add(c + ":" + slot);
            if (slot.kind() == SlotKind.BARRIER) {
                gate.block(c);
            }
            return true;
        };
        while (gate.poll(aligner, 100) > 0) {
            continue;
        }
        assertEquals(List.of("0:WATERMARK(1)", "0:BARRIER(7)", "1:WATERMARK(10)", "1:WATERMARK(11)", "1:BARRIER(7)"),
                seen);
        assertTrue(gate.isBlocked(0) && gate.isBlocked(1));
        assertEquals(1, left.backlog(), "the slot behind the barrier waits in the ring");
        gate.unblock(0);
        gate.unblock(1);
        gate.poll(aligner, 100);
        assertEquals("0:WATERMARK(2)", seen.get(5));
    }

    @Test
    void deliversOneEndOfInputOnceEveryChannelEnded() {
        Channel a = new Channel("a", 4);
        Channel b = new Channel("b", 4);
        InputGate gate = new InputGate(a, b);
        List<SlotKind> seen = new ArrayList<>();
        a.offerEndOfInput();
        b.offerWatermark(5);
        gate.poll((c, slot) -> seen.add(slot.kind()), 10);
        assertTrue(gate.isEnded(0));
        assertFalse(gate.isFinished());
        assertEquals(List.of(SlotKind.WATERMARK), seen);
        b.offerEndOfInput();
        gate.poll((c, slot) -> seen.add(slot.kind()), 10);
        gate.poll((c, slot) -> seen.add(slot.kind()), 10);
        assertEquals(List.of(SlotKind.WATERMARK, SlotKind.END_OF_INPUT), seen);
        assertTrue(gate.isFinished());
    }

    @Test
    void alignsBarriersAcrossProducersUnderRandomTiming() {
        SchedulerConfig config = SchedulerConfig.defaults().withWorkers(2).withIdleMode(IdleMode.YIELDING)
                .withShutdownTimeout(Duration.ofSeconds(10));
        try (Scheduler scheduler = new Scheduler(config)) {
            for (int iteration = 0; iteration < 30; iteration++) {
                long seed = 5000L + iteration;
                Random random = new Random(seed);
                int inputs = 1 + random.nextInt(4);
                int checkpoints = 1 + random.nextInt(20);
                Channel[] channels = new Channel[inputs];
                Sender[] senders = new Sender[inputs];
                TaskletHandle[] handles = new TaskletHandle[inputs + 1];
                for (int i = 0; i < inputs; i++) {
                    channels[i] = new Channel("in-" + i, 1 << random.nextInt(5));
                    senders[i] = new Sender(channels[i], new Random(seed * 31 + i), checkpoints, 200 + random.nextInt(400));
                }
                Aligner aligner = new Aligner(new InputGate(channels), senders, new Random(~seed));
                for (int i = 0; i < inputs; i++) {
                    handles[i] = scheduler.submit(senders[i], i % 2);
                }
                handles[inputs] = scheduler.submit(aligner, 1);
                Jobs.awaitAll(handles);
                assertEquals(checkpoints, aligner.aligned, "seed " + seed);
                for (int i = 0; i < inputs; i++) {
                    assertEquals(senders[i].nextSeq, aligner.received[i], "channel " + i + ", seed " + seed);
                    channels[i].close();
                }
            }
        }
    }

    /** Sends numbered batches and barriers 1..n at random points; records its position at each barrier. */
    final class Sender implements Tasklet {
        final Channel channel;
        final Random random;
        final int checkpoints;
        final int batches;
        /** positionAtBarrier[n]: rows sent before barrier n; written before the barrier is published. */
        final long[] positionAtBarrier;
        long nextSeq;
        int sentBatches;
        int sentBarriers;
        io.riffle.columnar.batch.RecordBatch pending;

        Sender(Channel channel, Random random, int checkpoints, int batches) {
            this.channel = channel;
            this.random = random;
            this.checkpoints = checkpoints;
            this.batches = batches;
            this.positionAtBarrier = new long[checkpoints + 1];
        }

        @Override
        public String name() {
            return "sender-" + channel.name();
        }

        @Override
        public int doWork() {
            if (random.nextInt(3) == 0) {
                channel.flush();
                return 0;
            }
            boolean barrierDue = sentBarriers < checkpoints
                    && (sentBatches == batches || random.nextInt(batches / checkpoints + 1) == 0);
            if (pending == null && barrierDue) {
                positionAtBarrier[sentBarriers + 1] = nextSeq;
                if (!channel.offerBarrier(sentBarriers + 1)) {
                    return 0;
                }
                sentBarriers++;
                return 1;
            }
            if (sentBatches == batches) {
                return sentBarriers == checkpoints && channel.offerEndOfInput() ? DONE : 0;
            }
            if (pending == null) {
                pending = Batches.sequence(allocator, channel.reclaim(), nextSeq, 1 + random.nextInt(16));
            }
            if (!channel.offerBatch(pending)) {
                channel.flush();
                return 0;
            }
            nextSeq += pending.rowCount();
            pending = null;
            sentBatches++;
            return 1;
        }
    }

    /**
     * Aligns barriers like a checkpointing operator: a channel that delivered barrier n is blocked until
     * every unfinished channel has; at that moment each channel's received rows must equal its sender's
     * position at barrier n (nothing from after the barrier slipped through).
     */
    static final class Aligner implements Tasklet, SlotHandler {
        final InputGate gate;
        final Sender[] senders;
        final Random random;
        final long[] received;
        int waitingFor;
        long currentBarrier;
        int aligned;

        Aligner(InputGate gate, Sender[] senders, Random random) {
            this.gate = gate;
            this.senders = senders;
            this.random = random;
            this.received = new long[senders.length];
            this.waitingFor = senders.length;
        }

        @Override
        public String name() {
            return "aligner";
        }

        @Override
        public int doWork() {
            if (random.nextInt(3) == 0) {
                return 0;
            }
            int n = gate.poll(this, 1 + random.nextInt(16));
            return gate.isFinished() ? DONE : n;
        }

        @Override
        public boolean onSlot(int c, Slot slot) {
            switch (slot.kind()) {
                case BATCH:
                    for (int i = 0; i < slot.batch().rowCount(); i++) {
                        assertEquals(received[c]++, slot.batch().int64(0).get(i), "channel " + c);
                    }
                    return true;
                case BARRIER:
                    assertEquals(aligned + 1, slot.value(), "barriers arrive in order");
                    currentBarrier = slot.value();
                    gate.block(c);
                    if (--waitingFor == 0) {
                        for (int i = 0; i < senders.length; i++) {
                            assertEquals(senders[i].positionAtBarrier[(int) currentBarrier], received[i],
                                    "channel " + i + " at barrier " + currentBarrier);
                            gate.unblock(i);
                        }
                        aligned++;
                        waitingFor = senders.length;
                    }
                    return true;
                default:
                    return false;
            }
        }
    }
}
