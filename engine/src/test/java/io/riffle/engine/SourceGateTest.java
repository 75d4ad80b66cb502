package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.checkpoint.Manifest;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test helper that makes checkpoints fall where a test says: readers stop at their hold, inject the
 * barriers asked for while held, go on past their barrier only, and a restored reader starts at the
 * count its checkpoint had. Its protocol runs here under random interleavings of reader threads and the
 * test thread, then inside running jobs.
 */
@Timeout(120)
class SourceGateTest {
    @TempDir
    Path dir;

    /** A subtask's tasklet, reduced to what it does with its reader: barriers between batches, then the next batch. */
    private static final class ReaderLoop extends Thread {
        final SourceReader reader;
        private final Random random;
        volatile long requested;
        volatile long taken;
        volatile long read;
        volatile long readAtBarrier;
        volatile byte[] positionAtBarrier;
        volatile boolean finished;
        volatile boolean stop;
        volatile Throwable failure;

        ReaderLoop(SourceReader reader, long seed) {
            this.reader = reader;
            this.random = new Random(seed);
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!stop && !finished) {
                    long barrier = requested;
                    if (barrier > taken) {
                        readAtBarrier = read;
                        positionAtBarrier = reader.position();
                        taken = barrier;
                    }
                    RecordBatch batch = reader.next();
                    if (batch != null) {
                        read += batch.rowCount();
                    } else if (reader.isFinished()) {
                        finished = true;
                    }
                    // An idle worker backs off; a busy one is sometimes preempted between batches.
                    if (batch == null || random.nextInt(8) == 0) {
                        Thread.yield();
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private static TaskContext context(BufferAllocator allocator, int subtask, int parallelism, int batchSize) {
        return new TaskContext() {
            @Override
            public String operatorName() {
                return "gated";
            }

            @Override
            public int subtask() {
                return subtask;
            }

            @Override
            public int parallelism() {
                return parallelism;
            }

            @Override
            public BufferAllocator allocator() {
                return allocator;
            }

            @Override
            public int batchSize() {
                return batchSize;
            }
        };
    }

    @Test
    void readersStopAtTheirHoldsAndGoOnOnlyPastTheirBarriers() throws Exception {
        for (long seed = 1; seed <= 200; seed++) {
            try (BufferAllocator allocator = new RootAllocator()) {
                interleave(seed, allocator);
                assertEquals(0, allocator.getAllocatedMemory(), "seed " + seed);
            }
        }
    }

    /**
     * Random holds (some going on past their barrier, some replaced before the readers got there), each
     * checked once every reader holds: a held reader has read at least its hold and less than a batch more,
     * does not move before its barrier, and a checkpoint's positions restore at its counts.
     */
    private static void interleave(long seed, BufferAllocator allocator) throws Exception {
        Random random = new Random(seed);
        int p = 1 + random.nextInt(4);
        int batchSize = 1 + random.nextInt(50);
        long share = 200 + random.nextInt(2_000);
        long records = share * p;
        SourceGate gate = new SourceGate();
        Source source = gate.wrap(new GeneratorSource(records, 7));
        List<ReaderLoop> loops = new ArrayList<>();
        for (int s = 0; s < p; s++) {
            loops.add(new ReaderLoop(source.createReader(context(allocator, s, p, batchSize)), seed * 31 + s));
        }
        gate.attemptStarted(0);
        String context = "seed " + seed + ", p " + p + ", batch " + batchSize + ", " + share + " records a reader";
        long hold = random.nextInt((int) share / 4 + 1);
        gate.holdAt(0, hold, hold);
        loops.forEach(Thread::start);
        long barrier = 0;
        try {
            for (int round = 0; round < 2 + random.nextInt(5); round++) {
                long then = hold + random.nextInt((int) share / 4 + 1);
                gate.holdAt(0, hold, then);
                gate.awaitHeld(0, before -> checkLoops(loops, context));
                assertHeldAt(loops, hold, share, batchSize, context + ", round " + round);
                long[] held = new long[p];
                for (int s = 0; s < p; s++) {
                    held[s] = loops.get(s).read;
                }
                barrier++;
                for (ReaderLoop loop : loops) {
                    loop.requested = barrier;
                }
                for (ReaderLoop loop : loops) {
                    while (loop.taken < barrier && !loop.finished) {
                        checkLoops(loops, context);
                        Thread.onSpinWait();
                    }
                }
                for (int s = 0; s < p; s++) {
                    if (!loops.get(s).finished) {
                        assertEquals(held[s], loops.get(s).readAtBarrier, context + ": reader " + s
                                + " moved before its barrier");
                    }
                }
                // Half the time the next hold replaces this one before the readers reach its second count.
                if (random.nextBoolean()) {
                    gate.awaitHeld(0, before -> checkLoops(loops, context));
                    assertHeldAt(loops, then, share, batchSize, context + ", round " + round + " after its barrier");
                }
                hold = then + random.nextInt((int) share / 4 + 1);
            }
            gate.release(0);
            for (ReaderLoop loop : loops) {
                loop.join();
                checkLoops(loops, context);
            }
            long total = 0;
            for (ReaderLoop loop : loops) {
                total += loop.read;
            }
            assertEquals(records, total, context);
            assertRestoresAtItsCounts(gate, source, loops, allocator, batchSize, context);
        } finally {
            for (ReaderLoop loop : loops) {
                loop.stop = true;
                loop.join();
                loop.reader.close();
            }
        }
    }

    private static void checkLoops(List<ReaderLoop> loops, String context) {
        for (ReaderLoop loop : loops) {
            if (loop.failure != null) {
                throw new AssertionError(context + ": a reader failed", loop.failure);
            }
        }
    }

    /** Every reader has read at least {@code hold} and less than a batch more, or all of its {@code share}. */
    private static void assertHeldAt(List<ReaderLoop> loops, long hold, long share, int batchSize, String context) {
        for (int s = 0; s < loops.size(); s++) {
            long read = loops.get(s).read;
            assertTrue(read == share || (read >= hold && read < hold + batchSize),
                    context + ": reader " + s + " held at " + read + ", its hold is " + hold);
        }
    }

    /** Readers restored from the last barrier's positions start at its counts and read exactly the rest. */
    private static void assertRestoresAtItsCounts(SourceGate gate, Source source, List<ReaderLoop> loops,
                                                  BufferAllocator allocator, int batchSize, String context)
            throws Exception {
        Map<String, Long> expected = new TreeMap<>();
        List<SourceReader> restored = new ArrayList<>();
        long rest = 0;
        long read = 0;
        try {
            for (int s = 0; s < loops.size(); s++) {
                ReaderLoop loop = loops.get(s);
                if (loop.positionAtBarrier == null) {
                    continue;
                }
                expected.put("#0 " + source.name() + "[" + s + "]", loop.readAtBarrier);
                rest += loop.read - loop.readAtBarrier;
                restored.add(source.restoreReader(context(allocator, s, loops.size(), batchSize),
                        List.of(loop.positionAtBarrier)));
            }
            gate.attemptStarted(1);
            assertEquals(expected, gate.restoredCounts(1), context);
            for (SourceReader r : restored) {
                for (RecordBatch b = r.next(); b != null; b = r.next()) {
                    read += b.rowCount();
                }
                assertTrue(r.isFinished(), context);
            }
        } finally {
            for (SourceReader r : restored) {
                r.close();
            }
        }
        assertEquals(rest, read, context + ": records read again after the restore");
    }

    /** The positions of checkpoint {@code id} by reader: the count each one's barrier found (the gate's key). */
    private static Map<String, Long> positions(Path checkpoints, long id, String sourceName) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        for (Manifest.Entry e : CheckpointStorage.load(checkpoints.resolve("chk-" + id)).manifest().entries()) {
            if (e.kind() == Manifest.Kind.POSITION) {
                counts.put("#0 " + sourceName + "[" + e.subtask() + "]", ByteBuffer.wrap(e.bytes()).getLong());
            }
        }
        return counts;
    }

    @Test
    void aCheckpointTakenWhileEveryReaderIsHeldCompletesAtTheirHolds() throws Exception {
        SourceGate gate = new SourceGate();
        Path checkpoints = dir.resolve("held");
        Environment env = Environment.streaming().setParallelism(2).setBatchSize(64)
                .enableCheckpointing(Duration.ZERO, checkpoints).injectFailures(gate);
        List<Tuple> out = new ArrayList<>();
        Source source = gate.wrap(new GeneratorSource(20_000, 13));
        env.fromSource(source).keyBy("key").sum("value").collect(out);
        gate.holdAt(3_000);
        JobHandle job = env.executeAsync("held");
        gate.awaitHeld(job);
        assertEquals(Map.of("#0 " + source.name() + "[0]", 3_008L, "#0 " + source.name() + "[1]", 3_008L),
                gate.counts(0), "each reader stops at the first batch boundary at or past its hold");
        long id = SourceGate.checkpoint(job);
        assertEquals(gate.counts(0), positions(checkpoints, id, source.name()));
        assertEquals(6_016, out.size(), "the checkpoint committed every record before the holds");
        gate.release();
        JobResult result = job.await();
        assertEquals(1, result.checkpoints());
        assertEquals(20_000, out.size());
    }

    /**
     * Jobs at random parallelisms held, checkpointed (some readers going on past their barrier while it
     * completes) and released at random counts: every checkpoint completes with the positions the gate
     * held, the job completes exactly the checkpoints taken and its output is exact.
     */
    @Test
    void jobsCheckpointWhereTheirSourcesAreHeld() throws Exception {
        for (long seed = 1; seed <= 25; seed++) {
            Random random = new Random(seed);
            int p = 1 + random.nextInt(4);
            long records = 4_000 + random.nextInt(20_000);
            long share = records / p;
            String context = "seed " + seed + ", p " + p + ", " + records + " records";
            SourceGate gate = new SourceGate();
            Path checkpoints = dir.resolve("stress-" + seed);
            Environment env = Environment.streaming().setParallelism(p).setBatchSize(1 + random.nextInt(100))
                    .setChannelCapacity(1 << (1 + random.nextInt(3))).enableCheckpointing(Duration.ZERO, checkpoints)
                    .injectFailures(gate);
            Source source = gate.wrap(new GeneratorSource(records, 11));
            List<Tuple> out = new ArrayList<>();
            env.fromSource(source).keyBy("key").sum("value").collect(out);
            int rounds = 1 + random.nextInt(4);
            long hold = random.nextInt((int) share / (rounds + 1));
            gate.holdAt(0, hold, hold);
            JobHandle job = env.executeAsync("stress");
            long taken = 0;
            for (int round = 0; round < rounds; round++) {
                long then = hold + random.nextInt((int) share / (2 * rounds + 2));
                gate.holdAt(0, hold, then);
                if (random.nextInt(4) == 0) {
                    // A checkpoint while the readers may still be on their way: it completes wherever they were.
                    assertEquals(++taken, SourceGate.checkpoint(job), context);
                }
                gate.awaitHeld(job);
                Map<String, Long> held = gate.counts(0);
                long id = SourceGate.checkpoint(job);
                assertEquals(++taken, id, context);
                assertEquals(held, positions(checkpoints, id, source.name()), context + ", checkpoint " + id);
                hold = then + random.nextInt((int) share / (2 * rounds + 2));
            }
            gate.release();
            JobResult result = job.await();
            assertEquals(taken, result.checkpoints(), context);
            assertEquals(records, out.size(), context);
            long[] sums = new long[11];
            for (Tuple t : out) {
                sums[(int) t.getLong(0)] = Math.max(sums[(int) t.getLong(0)], t.getLong(1));
            }
            for (int k = 0; k < 11; k++) {
                long sum = 0;
                for (long i = k; i < records; i += 11) {
                    sum += i;
                }
                assertEquals(sum, sums[k], context + ", key " + k);
            }
        }
    }
}
