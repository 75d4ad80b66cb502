package io.riffle.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.engine.Environment;
import io.riffle.engine.Tuple;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LatencySourceTest {
    /** Not a whole number of nanoseconds per record, so the rounding of each slot's time is tested too. */
    private static final long RATE = 3_000_000;
    private static final long KEYS = 7;

    private final RootAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        assertEquals(0, allocator.getAllocatedMemory(), "off-heap bytes outstanding");
        allocator.close();
    }

    @Test
    void oneSubtaskReadsEveryRecordAtItsTime() throws Exception {
        PacedSchedule schedule = new PacedSchedule(RATE, 1_000);
        LatencySource source = new LatencySource(schedule, KEYS);
        List<long[]> rows = new ArrayList<>();
        try (SourceReader reader = source.createReader(context(0, 1))) {
            readAll(reader, rows);
        }
        assertEquals(1_000, rows.size());
        long epoch = schedule.epochNanos();
        for (int i = 0; i < rows.size(); i++) {
            assertRecord(epoch, i, rows.get(i));
        }
        assertTrue(schedule.achievedRecordsPerSecond() > 0);
        assertTrue(schedule.achievedRecordsPerSecond() <= RATE * 1_000.0 / 999, "paced above its rate");
    }

    @Test
    void twoSubtasksShareTheRecordsAndOneEpoch() throws Exception {
        PacedSchedule schedule = new PacedSchedule(RATE, 1_001);
        LatencySource source = new LatencySource(schedule, KEYS);
        List<long[]> rows = new ArrayList<>();
        try (SourceReader first = source.createReader(context(0, 2));
             SourceReader second = source.createReader(context(1, 2))) {
            while (!first.isFinished() || !second.isFinished()) {
                add(first.next(), rows);
                add(second.next(), rows);
            }
        }
        long epoch = schedule.epochNanos();
        Set<Long> values = new HashSet<>();
        for (long[] row : rows) {
            assertRecord(epoch, row[1], row);
            assertTrue(values.add(row[1]), "record " + row[1] + " read twice");
        }
        assertEquals(1_001, values.size());
    }

    @Test
    void aRestoredReaderReadsExactlyTheRecordsLeft() throws Exception {
        PacedSchedule schedule = new PacedSchedule(RATE, 2_000);
        LatencySource source = new LatencySource(schedule, KEYS);
        List<long[]> rows = new ArrayList<>();
        byte[] position;
        try (SourceReader reader = source.createReader(context(0, 1))) {
            while (rows.size() < 500) {
                add(reader.next(), rows);
            }
            position = reader.position();
        }
        int before = rows.size();
        try (SourceReader restored = source.restoreReader(context(0, 1), List.of(position))) {
            readAll(restored, rows);
        }
        assertTrue(before < 2_000);
        assertEquals(2_000, rows.size());
        long epoch = schedule.epochNanos();
        for (int i = 0; i < rows.size(); i++) {
            assertRecord(epoch, i, rows.get(i));
        }
    }

    @Test
    void twoSubtasksRestoredAsOneReadTheRestInIndexOrder() throws Exception {
        PacedSchedule schedule = new PacedSchedule(RATE, 2_000);
        LatencySource source = new LatencySource(schedule, KEYS);
        Set<Long> read = new HashSet<>();
        List<byte[]> positions = new ArrayList<>();
        try (SourceReader first = source.createReader(context(0, 2));
             SourceReader second = source.createReader(context(1, 2))) {
            List<long[]> rows = new ArrayList<>();
            while (rows.size() < 300) {
                add(first.next(), rows);
            }
            add(second.next(), rows);
            for (long[] row : rows) {
                read.add(row[1]);
            }
            positions.add(first.position());
            positions.add(second.position());
        }
        List<long[]> rest = new ArrayList<>();
        try (SourceReader restored = source.restoreReader(context(0, 1), positions)) {
            readAll(restored, rest);
        }
        long epoch = schedule.epochNanos();
        for (int i = 0; i < rest.size(); i++) {
            assertRecord(epoch, rest.get(i)[1], rest.get(i));
            assertTrue(read.add(rest.get(i)[1]), "record " + rest.get(i)[1] + " read twice");
            if (i > 0) {
                assertTrue(rest.get(i)[1] > rest.get(i - 1)[1], "out of index order at " + i);
            }
        }
        assertEquals(2_000, read.size());
    }

    @Test
    void aFinishedReaderHasAnEmptyPosition() throws Exception {
        LatencySource source = new LatencySource(new PacedSchedule(RATE, 10), KEYS);
        try (SourceReader reader = source.createReader(context(0, 1))) {
            readAll(reader, new ArrayList<>());
            assertEquals(0, reader.position().length);
            try (SourceReader restored = source.restoreReader(context(0, 1), List.of(reader.position()))) {
                assertTrue(restored.isFinished());
            }
        }
    }

    @Test
    void aReaderWaitsForARecordsTime() throws Exception {
        LatencySource source = new LatencySource(new PacedSchedule(1, 2), KEYS);
        try (SourceReader reader = source.createReader(context(0, 1))) {
            assertEquals(1, reader.next().rowCount(), "record 0 is due at the epoch");
            assertNull(reader.next(), "record 1 is not due for a second");
            assertFalse(reader.isFinished());
        }
    }

    @Test
    void theRunningSumKeepsEachRecordsScheduledTime() {
        PacedSchedule schedule = new PacedSchedule(RATE, 600);
        Environment env = Environment.streaming().setParallelism(2);
        List<Tuple> out = RiffleLatency.runningSum(env.fromSource(new LatencySource(schedule, KEYS))).executeAndCollect();
        long epoch = schedule.epochNanos();
        Set<Long> scheduled = new HashSet<>();
        long[] sums = new long[(int) KEYS];
        for (Tuple t : out) {
            scheduled.add(t.getLong(2));
            int key = t.getInt(0);
            sums[key] = Math.max(sums[key], t.getLong(1));
        }
        Set<Long> expected = new HashSet<>();
        long[] expectedSums = new long[(int) KEYS];
        for (long i = 0; i < 600; i++) {
            expected.add(epoch + schedule.offsetNanos(i));
            expectedSums[(int) (i % KEYS)] += i;
        }
        assertEquals(expected, scheduled);
        assertArrayEquals(expectedSums, sums, "each key's final sum");
    }

    @Test
    void rejectsBadSettingsSayingWhy() {
        assertEquals("a paced schedule needs a rate of 1 to 1000000000 records per second (one per nanosecond"
                + " at most), not 0", assertThrows(IllegalArgumentException.class,
                () -> new PacedSchedule(0, 10)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PacedSchedule(2_000_000_000L, 10));
        assertEquals("a paced schedule takes 0 to 9223372036 records, not 9223372037",
                assertThrows(IllegalArgumentException.class,
                        () -> new PacedSchedule(1, PacedSchedule.MAX_RECORDS + 1)).getMessage());
        assertEquals("a latency source needs at least 1 key, not 0", assertThrows(IllegalArgumentException.class,
                () -> new LatencySource(new PacedSchedule(1, 1), 0)).getMessage());
        assertEquals("warm-up must be 0 to 5 records, not 6", assertThrows(IllegalArgumentException.class,
                () -> new LatencyRecorder(new PacedSchedule(1, 5), 6)).getMessage());
        LatencySource source = new LatencySource(new PacedSchedule(1, 5), 1);
        assertEquals("source 'paced(5 records at 1/s, 1 keys)': a position of 7 bytes is not a list of"
                + " (next index, stride) pairs", assertThrows(IllegalArgumentException.class,
                () -> source.restoreReader(context(0, 1), List.of(new byte[7]))).getMessage());
        assertEquals("source 'paced(5 records at 1/s, 1 keys)': a share from index 0 with stride 0 is not one"
                + " this source wrote", assertThrows(IllegalArgumentException.class,
                () -> source.restoreReader(context(0, 1), List.of(new byte[16]))).getMessage());
        assertEquals("no source subtask started this schedule yet", assertThrows(IllegalStateException.class,
                () -> new PacedSchedule(1, 1).epochNanos()).getMessage());
    }

    /** Record i as the brief has it, scheduled at its slot's time. */
    private static void assertRecord(long epoch, long i, long[] row) {
        assertEquals(i % KEYS, row[0], "key of record " + i);
        assertEquals(i, row[1], "value of record " + i);
        assertEquals(epoch + i * 1_000_000_000L / RATE, row[2], "scheduled_ns of record " + i);
    }

    private static void readAll(SourceReader reader, List<long[]> rows) throws Exception {
        while (!reader.isFinished()) {
            add(reader.next(), rows);
        }
    }

    private static void add(RecordBatch batch, List<long[]> rows) {
        if (batch == null) {
            return;
        }
        BigIntVector keys = batch.int64(0);
        BigIntVector values = batch.int64(1);
        BigIntVector scheduled = batch.int64(2);
        for (int r = 0; r < batch.rowCount(); r++) {
            rows.add(new long[] {keys.get(r), values.get(r), scheduled.get(r)});
        }
    }

    /** Small batches, so that a read takes several. */
    private TaskContext context(int subtask, int parallelism) {
        BufferAllocator jobAllocator = allocator;
        return new TaskContext() {
            @Override
            public String operatorName() {
                return "paced";
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
                return jobAllocator;
            }

            @Override
            public int batchSize() {
                return 64;
            }
        };
    }
}
