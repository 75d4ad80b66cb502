package io.riffle.engine.internal.operator;

import io.riffle.columnar.kernel.KeyGroupRange;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.batch.RecordBatchBuilder;
import io.riffle.columnar.hash.Aggregate;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import io.riffle.engine.internal.runtime.Output;
import io.riffle.engine.internal.runtime.StateRestore;
import io.riffle.engine.internal.runtime.SubtaskContext;
import io.riffle.engine.testing.AllocatorTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session operator driven directly: a checkpoint sees the sessions of its moment while the operator goes
 * on changing, merging, firing and reusing them (the writer on another thread, at random moments), restores
 * split by key group add up to the whole, and damaged state files are named.
 */
class SessionWindowOperatorTest extends AllocatorTest {
    private static final BatchSchema EVENTS = BatchSchema.of(Column.of("key", ColumnType.UTF8),
            Column.of("value", ColumnType.INT64), Column.of("time", ColumnType.TIMESTAMP_MS));
    private static final int MAX_PARALLELISM = 8;
    private static final long GAP = 10;

    @TempDir
    Path dir;

    /** The rows an operator emits, as strings, and nothing else. */
    private static final class Collected implements Output {
        final List<String> rows = new ArrayList<>();

        @Override
        public void emit(RecordBatch batch) {
            for (int r = 0; r < batch.rowCount(); r++) {
                StringBuilder row = new StringBuilder();
                for (int c = 0; c < batch.columnCount(); c++) {
                    row.append(c == 0 ? "" : ",").append(batch.value(r, c));
                }
                rows.add(row.toString());
            }
        }

        @Override
        public void emitWatermark(long watermark) {
        }
    }

    private SessionWindowOperator open(int subtask, int parallelism) {
        return open(subtask, parallelism, 0);
    }

    /** {@code lateness}: fired sessions are kept that long, so checkpoints also hold fired ones. */
    private SessionWindowOperator open(int subtask, int parallelism, long lateness) {
        SessionWindowOperator op = new SessionWindowOperator(EVENTS, 0, EventTimeField.of(2), GAP, lateness,
                new Aggregate[] {Aggregate.sum("value"), Aggregate.count()}, 1L << 30, LateOutput.COUNT_ONLY);
        op.open(SubtaskContext.builder("sessions", allocator).subtask(subtask, parallelism).batchSize(64).uid(1).maxParallelism(MAX_PARALLELISM).build());
        return op;
    }

    /** {@code n} events of 40 keys, out of order by up to 30 ms, so that sessions open, grow and merge. */
    private static List<Object[]> events(Random random, int n, long startTime) {
        List<Object[]> out = new ArrayList<>();
        long clock = startTime;
        for (int i = 0; i < n; i++) {
            clock += random.nextInt(3);
            out.add(new Object[] {"k" + random.nextInt(40), (long) random.nextInt(100),
                    Instant.ofEpochMilli(clock - random.nextInt(31))});
        }
        return out;
    }

    private void feed(SessionWindowOperator op, List<Object[]> events, Collected out) throws Exception {
        for (int from = 0; from < events.size(); from += 50) {
            List<Object[]> rows = events.subList(from, Math.min(events.size(), from + 50));
            try (RecordBatch batch = RecordBatchBuilder.fromRows(EVENTS, allocator, rows.toArray(new Object[0][]))) {
                op.process(batch, out);
            }
        }
    }

    /** What a fresh operator fed {@code events} emits at the end of input, sorted. */
    private List<String> sessionsOf(List<Object[]> events) throws Exception {
        SessionWindowOperator op = open(0, 1);
        try {
            Collected out = new Collected();
            feed(op, events, out);
            op.processWatermark(Long.MAX_VALUE, out);
            Collections.sort(out.rows);
            return out.rows;
        } finally {
            op.close();
        }
    }

    private List<String> restoreAndFire(List<Path> files, int first, int last) throws Exception {
        SessionWindowOperator op = open(0, 1);
        try {
            op.restoreState(new StateRestore(1, files, List.of(), new KeyGroupRange(MAX_PARALLELISM, first, last)));
            Collected out = new Collected();
            op.processWatermark(Long.MAX_VALUE, out);
            Collections.sort(out.rows);
            return out.rows;
        } finally {
            op.close();
        }
    }

    @Test
    void aCheckpointSeesTheSessionsOfItsMomentWhileTheOperatorGoesOn() throws Exception {
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            for (int iteration = 0; iteration < 60; iteration++) {
                long seed = 7_000 + iteration;
                Random random = new Random(seed);
                List<Object[]> before = events(random, 200 + random.nextInt(3_000), 1_000);
                List<String> expected = sessionsOf(before);
                SessionWindowOperator op = open(0, 1, iteration % 2 == 0 ? 0 : 40);
                Collected out = new Collected();
                Path file = dir.resolve("state-" + iteration);
                try {
                    feed(op, before, out);
                    OperatorSnapshot snapshot = op.snapshotState(1);
                    // The writer starts at once or after a while; meanwhile sessions grow, merge, fire and are reused.
                    boolean late = random.nextBoolean();
                    Future<Long> written = late ? null : writer.submit(() -> snapshot.writeTo(file));
                    long watermark = 1_000;
                    for (int round = 0; round < 5; round++) {
                        feed(op, events(random, 500, watermark + 20), out);
                        watermark += 300;
                        op.processWatermark(watermark, out);
                    }
                    if (late) {
                        written = CompletableFuture.completedFuture(snapshot.writeTo(file));
                    }
                    long bytes = written.get();
                    snapshot.close();
                    assertEquals(Files.size(file), bytes, "seed " + seed);
                    assertTrue(!out.rows.isEmpty(), "seed " + seed + ": nothing fired meanwhile");
                } finally {
                    op.close();
                }
                assertEquals(expected, restoreAndFire(List.of(file), 0, MAX_PARALLELISM), "seed " + seed);
            }
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void restoresSplitByKeyGroupAddUpToTheWhole() throws Exception {
        Random random = new Random(42);
        List<Object[]> events = events(random, 5_000, 1_000);
        SessionWindowOperator op = open(0, 1);
        Path file = dir.resolve("state");
        try {
            feed(op, events, new Collected());
            try (OperatorSnapshot snapshot = op.snapshotState(1)) {
                snapshot.writeTo(file);
            }
        } finally {
            op.close();
        }
        List<String> parts = new ArrayList<>(restoreAndFire(List.of(file), 0, 3));
        List<String> rest = restoreAndFire(List.of(file), 3, MAX_PARALLELISM);
        assertTrue(!parts.isEmpty() && !rest.isEmpty());
        parts.addAll(rest);
        Collections.sort(parts);
        assertEquals(sessionsOf(events), parts);
    }

    @Test
    void damagedStateFilesAreNamed() throws Exception {
        SessionWindowOperator op = open(0, 1);
        Path file = dir.resolve("state");
        try {
            feed(op, events(new Random(3), 2_000, 1_000), new Collected());
            try (OperatorSnapshot snapshot = op.snapshotState(1)) {
                snapshot.writeTo(file);
            }
        } finally {
            op.close();
        }
        byte[] good = Files.readAllBytes(file);
        byte[] flipped = good.clone();
        flipped[flipped.length - 20] ^= 0x40;
        Path corrupt = dir.resolve("corrupt");
        Files.write(corrupt, flipped);
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class,
                () -> restoreAndFire(List.of(corrupt), 0, MAX_PARALLELISM));
        assertTrue(e.getMessage().startsWith(corrupt + ": key group ") && e.getMessage().endsWith(" fails its checksum"),
                e.getMessage());

        Path truncated = dir.resolve("truncated");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        e = assertThrows(CorruptCheckpointException.class, () -> restoreAndFire(List.of(truncated), 0, MAX_PARALLELISM));
        assertTrue(e.getMessage().startsWith(truncated + ": key group ") && e.getMessage().contains("truncated"),
                e.getMessage());

        Path header = dir.resolve("header");
        byte[] badIndex = good.clone();
        badIndex[44] ^= 1;
        Files.write(header, badIndex);
        assertEquals(header + ": the session state's index fails its checksum",
                assertThrows(CorruptCheckpointException.class,
                        () -> restoreAndFire(List.of(header), 0, MAX_PARALLELISM)).getMessage());

        Path foreign = dir.resolve("foreign");
        try (FileChannel ch = FileChannel.open(foreign, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[64]));
        }
        assertEquals(foreign + ": not a session window's state", assertThrows(CorruptCheckpointException.class,
                () -> restoreAndFire(List.of(foreign), 0, MAX_PARALLELISM)).getMessage());
    }

    /** An aborted checkpoint: closed unwritten, its pages go back; a late write is refused. */
    @Test
    void anAbortedCheckpointLetsItsPagesGo() throws Exception {
        SessionWindowOperator op = open(0, 1);
        try {
            Collected out = new Collected();
            feed(op, events(new Random(5), 3_000, 1_000), out);
            OperatorSnapshot snapshot = op.snapshotState(1);
            feed(op, events(new Random(6), 3_000, 1_100), out);
            snapshot.close();
            IOException e = assertThrows(IOException.class, () -> snapshot.writeTo(dir.resolve("never")));
            assertEquals("the session window snapshot was closed (its checkpoint aborted)", e.getMessage());
            op.processWatermark(Long.MAX_VALUE, out);
            TreeMap<String, Long> counts = new TreeMap<>();
            for (String row : out.rows) {
                String[] f = row.split(",");
                counts.merge("all", Long.parseLong(f[4]), Long::sum);
            }
            assertEquals(6_000L, counts.get("all"), "every record in exactly one session");
        } finally {
            op.close();
        }
    }
}
