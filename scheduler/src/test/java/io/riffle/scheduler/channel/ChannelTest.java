package io.riffle.scheduler.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.scheduler.IdleMode;
import io.riffle.scheduler.Scheduler;
import io.riffle.scheduler.SchedulerConfig;
import io.riffle.scheduler.Tasklet;
import io.riffle.scheduler.TaskletHandle;
import io.riffle.columnar.ArrowTest;
import org.junit.jupiter.api.Test;

class ChannelTest extends ArrowTest {
    @Test
    void keepsOrderUnderRandomTimingWithNothingLostOrDuplicated() {
        SchedulerConfig config = SchedulerConfig.defaults().withWorkers(2).withIdleMode(IdleMode.YIELDING)
                .withShutdownTimeout(Duration.ofSeconds(10));
        try (Scheduler scheduler = new Scheduler(config)) {
            for (int iteration = 0; iteration < 40; iteration++) {
                long seed = 1000L + iteration;
                int capacity = 1 << new Random(seed).nextInt(7);
                try (Channel channel = new Channel("p->c", capacity)) {
                    Producer producer = new Producer(channel, new Random(seed), 3000);
                    Consumer consumer = new Consumer(channel, new Random(~seed));
                    TaskletHandle p = scheduler.submit(producer, 0);
                    TaskletHandle c = scheduler.submit(consumer, 1);
                    Jobs.awaitAll(p, c);
                    assertEquals(producer.nextSeq, consumer.nextSeq, "rows, seed " + seed);
                    assertEquals(producer.barriers, consumer.barriers, "barriers, seed " + seed);
                    assertEquals(producer.items, consumer.items, "slots, seed " + seed);
                    assertTrue(producer.allocated <= 3L * capacity + 2, "batches are reused: allocated "
                            + producer.allocated + " for capacity " + capacity + ", seed " + seed);
                }
            }
        }
    }

    @Test
    void aFullRingRefusesTheProducerUntilTheConsumerFreesASlot() {
        try (Channel channel = new Channel("slow", 4)) {
            List<RecordBatch> sent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RecordBatch b = Batches.sequence(allocator, null, i * 10L, 10);
                assertTrue(channel.offerBatch(b));
                sent.add(b);
            }
            assertEquals(4, channel.backlog());
            assertEquals(0, channel.poll((c, slot) -> true, 0, 10), "batches wait for a flush");
            channel.flush();
            try (RecordBatch fifth = Batches.sequence(allocator, null, 40, 10)) {
                assertFalse(channel.offerBatch(fifth), "full: the producer keeps its batch");
                assertFalse(channel.offerWatermark(1), "control events wait for room too");
                List<RecordBatch> received = new ArrayList<>();
                assertEquals(1, channel.poll((c, slot) -> {
                    received.add(slot.takeBatch());
                    return true;
                }, 0, 1));
                assertSame(sent.get(0), received.get(0));
                received.get(0).close();
                assertTrue(channel.offerWatermark(41));
                assertEquals(4, channel.backlog());
            }
        }
    }

    @Test
    void aHandlerCanStopAPollAndTheRestStaysInOrder() {
        try (Channel channel = new Channel("stop", 8)) {
            for (long w = 1; w <= 5; w++) {
                assertTrue(channel.offerWatermark(w));
            }
            List<Long> seen = new ArrayList<>();
            assertEquals(2, channel.poll((c, slot) -> {
                seen.add(slot.value());
                return seen.size() < 2;
            }, 0, 100));
            assertEquals(3, channel.poll((c, slot) -> seen.add(slot.value()), 0, 100));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen);
            assertEquals(0, channel.poll((c, slot) -> true, 0, 100));
        }
    }

    @Test
    void untakenBatchesGoBackToTheProducer() {
        try (Channel channel = new Channel("reuse", 4)) {
            RecordBatch b = Batches.sequence(allocator, null, 0, 3);
            assertTrue(channel.offerBatch(b));
            channel.flush();
            assertNull(channel.reclaim());
            channel.poll((c, slot) -> {
                assertEquals(2L, slot.batch().value(2, 0));
                return true;
            }, 0, 10);
            assertSame(b, channel.reclaim());
            b.close();
        }
    }

    @Test
    void closeFreesBatchesLeftInTheRingOrHandedBack() {
        Channel channel = new Channel("leftovers", 8);
        channel.offerBatch(Batches.sequence(allocator, null, 0, 100));
        channel.offerBarrier(1);
        channel.offerBatch(Batches.sequence(allocator, null, 100, 100));
        channel.poll((c, slot) -> true, 0, 1);
        assertTrue(allocator.getAllocatedMemory() > 0);
        channel.close();
    }

    @Test
    void aSteadyStreamAllocatesNothingPerBatch() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().getId();
        try (Channel channel = new Channel("steady", 16)) {
            InputGate gate = new InputGate(channel);
            RecordBatch batch = Batches.sequence(allocator, null, 0, 8);
            long[] rows = new long[1];
            SlotHandler handler = (c, slot) -> {
                rows[0] += slot.kind() == SlotKind.BATCH ? slot.batch().rowCount() : 0;
                return true;
            };
            long before = 0;
            for (int i = 0; i < 400_000; i++) {
                if (i == 200_000) {
                    before = threads.getThreadAllocatedBytes(me);
                }
                assertTrue(channel.offerBatch(batch));
                assertTrue(channel.offerWatermark(i));
                gate.poll(handler, 8);
                batch = channel.reclaim();
            }
            long allocated = threads.getThreadAllocatedBytes(me) - before;
            assertTrue(allocated < 4096, "200k batches and watermarks allocated " + allocated + " bytes");
            assertEquals(400_000L * 8, rows[0]);
            batch.close();
        }
    }

    @Test
    void batchesArePublishedInGroupsOfSixteenOrOnFlush() {
        try (Channel channel = new Channel("groups", 64)) {
            List<RecordBatch> sent = new ArrayList<>();
            for (int i = 0; i < Channel.PUBLISH_EVERY - 1; i++) {
                sent.add(Batches.sequence(allocator, null, i, 1));
                assertTrue(channel.offerBatch(sent.get(i)));
            }
            assertEquals(0, channel.poll((c, slot) -> true, 0, 100));
            sent.add(Batches.sequence(allocator, null, 99, 1));
            assertTrue(channel.offerBatch(sent.get(sent.size() - 1)));
            List<RecordBatch> seen = new ArrayList<>();
            assertEquals(Channel.PUBLISH_EVERY, channel.poll((c, slot) -> seen.add(slot.takeBatch()), 0, 100));
            assertEquals(sent, seen);
            RecordBatch last = Batches.sequence(allocator, null, 7, 1);
            assertTrue(channel.offerBatch(last));
            assertTrue(channel.offerBarrier(3), "a control event publishes what is before it");
            List<String> order = new ArrayList<>();
            channel.poll((c, slot) -> order.add(slot.kind() + ":" + (slot.kind() == SlotKind.BATCH
                    ? slot.batch().value(0, 0) : slot.value())), 0, 100);
            assertEquals(List.of("BATCH:7", "BARRIER:3"), order);
            for (RecordBatch b : seen) {
                b.close();
            }
            channel.reclaim().close();
        }
    }

    @Test
    void capacityMustBeAPowerOfTwo() {
        assertEquals("channel 'x': capacity must be a power of two, not 1000",
                assertThrows(IllegalArgumentException.class, () -> new Channel("x", 1000)).getMessage());
    }

    /** Sends batches of consecutive numbers mixed with watermarks and barriers, at random moments. */
    final class Producer implements Tasklet {
        final Channel channel;
        final Random random;
        final int slots;
        RecordBatch pending;
        SlotKind pendingKind;
        long nextSeq;
        long barriers;
        int items;
        long allocated;
        boolean ended;

        Producer(Channel channel, Random random, int slots) {
            this.channel = channel;
            this.random = random;
            this.slots = slots;
        }

        @Override
        public String name() {
            return "producer";
        }

        @Override
        public int doWork() {
            if (random.nextInt(4) == 0) {
                channel.flush();
                return 0;
            }
            if (pendingKind == null) {
                if (items == slots) {
                    if (!ended && channel.offerEndOfInput()) {
                        ended = true;
                        return DONE;
                    }
                    return 0;
                }
                int r = random.nextInt(10);
                pendingKind = r < 7 ? SlotKind.BATCH : r < 9 ? SlotKind.WATERMARK : SlotKind.BARRIER;
                if (pendingKind == SlotKind.BATCH) {
                    RecordBatch reuse = channel.reclaim();
                    if (reuse == null) {
                        allocated++;
                    }
                    int rows = 1 + random.nextInt(64);
                    pending = Batches.sequence(allocator, reuse, nextSeq, rows);
                }
            }
            boolean sent;
            switch (pendingKind) {
                case BATCH:
                    sent = channel.offerBatch(pending);
                    // A tasklet flushes at the end of its duty cycle; here at random ones.
                    if (random.nextInt(3) == 0) {
                        channel.flush();
                    }
                    break;
                case WATERMARK: sent = channel.offerWatermark(nextSeq); break;
                default: sent = channel.offerBarrier(barriers + 1); break;
            }
            if (!sent) {
                channel.flush();
                return 0;
            }
            if (pendingKind == SlotKind.BATCH) {
                nextSeq += pending.rowCount();
                pending = null;
            } else if (pendingKind == SlotKind.BARRIER) {
                barriers++;
            }
            pendingKind = null;
            items++;
            return 1;
        }
    }

    /** Checks every slot against what the producer must have sent, in order; polls at random moments. */
    static final class Consumer implements Tasklet, SlotHandler {
        final Channel channel;
        final Random random;
        long nextSeq;
        long barriers;
        int items;
        boolean ended;

        Consumer(Channel channel, Random random) {
            this.channel = channel;
            this.random = random;
        }

        @Override
        public String name() {
            return "consumer";
        }

        @Override
        public int doWork() {
            if (random.nextInt(3) == 0) {
                return 0;
            }
            int n = channel.poll(this, 0, 1 + random.nextInt(8));
            return ended ? DONE : n;
        }

        @Override
        public boolean onSlot(int c, Slot slot) {
            switch (slot.kind()) {
                case BATCH:
                    RecordBatch b = slot.batch();
                    for (int i = 0; i < b.rowCount(); i++) {
                        assertEquals(nextSeq++, b.int64(0).get(i));
                    }
                    break;
                case WATERMARK:
                    assertEquals(nextSeq, slot.value(), "watermark carries the next sequence number");
                    break;
                case BARRIER:
                    assertEquals(++barriers, slot.value());
                    break;
                default:
                    ended = true;
                    return false;
            }
            items++;
            return true;
        }
    }
}
