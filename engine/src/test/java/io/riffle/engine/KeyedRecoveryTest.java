package io.riffle.engine;

import static io.riffle.engine.TupleLists.sorted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.Column;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.checkpoint.Manifest;
import io.riffle.engine.connector.Source;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.connector.TaskContext;
import io.riffle.engine.internal.connector.GeneratorSource;
import io.riffle.engine.internal.connector.ZipfWordsSource;
import io.riffle.engine.internal.runtime.FailureInjector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once recovery of keyed state: W1 (running sum per key) and a streaming word count, with 1 to 5
 * failures at random operators and record counts, checkpoints every few milliseconds, at parallelism 1, 2
 * and 4: the committed output equals a failure-free run's, record for record per key. Also rescaling
 * through checkpoints, a checkpoint that fails to write, and corrupt state files.
 */
@Timeout(120)
class KeyedRecoveryTest {
    private static final long RECORDS = 40_000;
    private static final BatchSchema WORD = BatchSchema.of(Column.of("word", ColumnType.UTF8));

    @TempDir
    Path dir;

    private static Environment env(int p) {
        return Environment.streaming().setParallelism(p).setBatchSize(64).setChannelCapacity(8);
    }

    /** Per key, the running values in the order they were emitted: what a keyed stream promises. */
    private static Map<Object, List<Object>> perKey(List<Tuple> rows, int valueField) {
        Map<Object, List<Object>> out = new HashMap<>();
        for (Tuple t : rows) {
            out.computeIfAbsent(t.field(0), k -> new ArrayList<>()).add(t.field(valueField));
        }
        return out;
    }

    private static JobResult w1(Environment env, List<Tuple> out) {
        env.generate(RECORDS, 97, 400_000).keyBy("key").sum("value").collect(out);
        return env.execute("w1");
    }

    private static JobResult wordCount(Environment env, List<Tuple> out) {
        env.fromSource(new ZipfWordsSource(RECORDS, 500)).rebalance().keyBy("word").count().collect(out);
        return env.execute("wordcount");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void w1CommitsExactlyTheFailureFreeOutput(int p) {
        for (int seed = 0; seed < 4; seed++) {
            int count = 1 + (seed + p) % 5;
            PlannedFailures failures = PlannedFailures.random(seed * 17L + p, count, RECORDS,
                    "keyBy(key).sum(value)", "collect");
            List<Tuple> out = new ArrayList<>();
            JobResult result = w1(env(p).enableCheckpointing(Duration.ofMillis(5), dir.resolve("w1-" + p + "-" + seed))
                    .setRestartStrategy(RestartStrategy.fixedDelay(10, Duration.ZERO)).injectFailures(failures), out);
            String context = "p " + p + ", seed " + seed + ", failures " + failures;
            failures.assertHappened(result, context);
            assertTrue(result.checkpoints() > 0, context);
            assertEquals(RECORDS, out.size(), context);
            assertExactlyOnceSums(out, context);
        }
    }

    /**
     * At parallelism above 1 the sources' records reach a key in an order that varies from run to run, so
     * the running sums themselves vary; what must not vary is that every record counted once: per key, the
     * steps between the sorted running sums are exactly the key's values.
     */
    private static void assertExactlyOnceSums(List<Tuple> out, String context) {
        assertExactlyOnceSums(out, context, RECORDS);
    }

    /** As above, for the union of generators of {@code sizes} records each. */
    private static void assertExactlyOnceSums(List<Tuple> out, String context, long... sizes) {
        Map<Object, List<Object>> sums = perKey(out, 1);
        assertEquals(97, sums.size(), context);
        for (Map.Entry<Object, List<Object>> e : sums.entrySet()) {
            long key = (Long) e.getKey();
            List<Long> sorted = new ArrayList<>();
            for (Object v : e.getValue()) {
                sorted.add((Long) v);
            }
            sorted.sort(null);
            List<Long> steps = new ArrayList<>();
            long previous = 0;
            for (long s : sorted) {
                steps.add(s - previous);
                previous = s;
            }
            steps.sort(null);
            List<Long> values = new ArrayList<>();
            for (long size : sizes) {
                for (long i = key; i < size; i += 97) {
                    values.add(i);
                }
            }
            values.sort(null);
            if (!steps.equals(values)) {
                throw new AssertionError(context + ": key " + key + " counted " + steps.size() + " records, "
                        + "expected " + values.size() + "; first steps " + steps.subList(0, Math.min(5, steps.size())));
            }
        }
    }

    /** W1 written as a reduce: the reduced records (on the heap, paged copy-on-write) are checkpointed too. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void reduceCommitsExactlyTheFailureFreeOutput(int p) {
        for (int seed = 0; seed < 3; seed++) {
            int count = 1 + (seed * 3 + p) % 5;
            PlannedFailures failures = PlannedFailures.random(seed * 23L + p, count, RECORDS, "keyBy(key).reduce",
                    "collect");
            Environment env = env(p).enableCheckpointing(Duration.ofMillis(5), dir.resolve("reduce-" + p + "-" + seed))
                    .setRestartStrategy(RestartStrategy.fixedDelay(10, Duration.ZERO)).injectFailures(failures);
            List<Tuple> out = new ArrayList<>();
            sumByReduce(env.generate(RECORDS, 97, 400_000)).collect(out);
            JobResult result = env.execute("reduce");
            String context = "p " + p + ", seed " + seed + ", failures " + failures;
            failures.assertHappened(result, context);
            assertTrue(result.checkpoints() > 0, context);
            assertEquals(RECORDS, out.size(), context);
            assertExactlyOnceSums(out, context);
        }
    }

    private static DataStream sumByReduce(DataStream input) {
        return input.keyBy("key").reduce((a, b) -> Tuple.of(a.getLong(0), a.getLong(1) + b.getLong(1), b.field(2)));
    }

    /** A reduce stopped after a savepoint and restored at 4, then 1: its records are read back by key group. */
    @Test
    void rescalingAReduceThroughSavepointsKeepsItsRecords() throws Exception {
        List<Tuple> all = SavepointRescale.run(dir.resolve("reduce"), new int[] {2, 4, 1}, KeyedRecoveryTest::env,
                "keyBy(key).reduce", RECORDS / 3,
                (env, out) -> sumByReduce(env.generate(RECORDS, 97, 40_000)).collect(out));
        assertEquals(RECORDS, all.size());
        assertExactlyOnceSums(all, "reduce rescaled 2 -> 4 -> 1");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void wordCountCommitsExactlyTheFailureFreeOutput(int p) {
        List<Tuple> reference = new ArrayList<>();
        wordCount(env(p), reference);
        for (int seed = 0; seed < 3; seed++) {
            int count = 1 + (seed * 2 + p) % 5;
            PlannedFailures failures = PlannedFailures.random(seed * 13L + p, count, RECORDS,
                    "keyBy(word).", "rebalance", "collect");
            List<Tuple> out = new ArrayList<>();
            JobResult result = wordCount(env(p).enableCheckpointing(Duration.ofMillis(3),
                    dir.resolve("wc-" + p + "-" + seed)).setRestartStrategy(RestartStrategy.fixedDelay(10, Duration.ZERO))
                    .injectFailures(failures), out);
            String context = "p " + p + ", seed " + seed + ", failures " + failures;
            failures.assertHappened(result, context);
            if (!sorted(reference).equals(sorted(out))) {
                throw new AssertionError(context + ": " + out.size() + " records committed, " + reference.size()
                        + " without failures");
            }
        }
    }

    /**
     * A job stopped after a savepoint is restored at another parallelism (2 -> 4 -> 1): the keyed state is
     * read back by key group, the sources' positions are shared out, and the sums go on exactly where they were.
     */
    @Test
    void rescalingThroughSavepointsKeepsTheState() throws Exception {
        // At 4 the source's subtasks 2 and 3 have nothing left to read and finish at once; checkpoints go on.
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, KeyedRecoveryTest::env, "keyBy(", RECORDS / 3,
                (env, out) -> env.generate(RECORDS, 97, 40_000).keyBy("key").sum("value").collect(out));
        assertEquals(RECORDS, all.size());
        assertExactlyOnceSums(all, "rescaled 2 -> 4 -> 1");
    }

    /**
     * A source that finished leaves later checkpoints its end position and a finished mark, so checkpoints
     * go on; restored (here at another parallelism too) it reads nothing again.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void checkpointsGoOnAfterASourceFinishedAndRestoreItFinished(int restoredParallelism) throws Exception {
        Path checkpoints = dir.resolve("finished");
        StopAfter stop = new StopAfter("keyBy(", RECORDS / 2);
        Environment env = env(2).enableCheckpointing(Duration.ZERO, checkpoints).injectFailures(stop);
        List<Tuple> first = new ArrayList<>();
        env.fromSource(new CountedSource(new GeneratorSource(2_000, 97))).union(env.generate(RECORDS, 97, 100_000))
                .keyBy("key").sum("value").collect(first);
        JobHandle job = env.executeAsync("finished-source");
        stop.await(job);
        // The small source ends within a few batches; savepoints go on until one records it finished.
        Path savepoint = null;
        for (int attempt = 0; attempt < 1_000 && savepoint == null; attempt++) {
            Path candidate = checkpoints.resolve("savepoint-" + job.triggerSavepoint().get());
            if (finishedMarks(CheckpointStorage.load(candidate).manifest()) == 2) {
                savepoint = candidate;
            }
        }
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        assertTrue(savepoint != null, "no savepoint recorded the small source finished");

        Environment again = env(restoredParallelism).enableCheckpointing(Duration.ZERO, dir.resolve("again"))
                .restoreFrom(savepoint);
        List<Tuple> rest = new ArrayList<>();
        CountedSource small = new CountedSource(new GeneratorSource(2_000, 97));
        again.fromSource(small).union(again.generate(RECORDS, 97, 400_000)).keyBy("key").sum("value").collect(rest);
        again.execute("finished-source");
        assertEquals(0, small.readers.get(), "a source that had finished everywhere opens no reader");
        List<Tuple> all = new ArrayList<>(first);
        all.addAll(rest);
        assertExactlyOnceSums(all, "restored at " + restoredParallelism, 2_000, RECORDS);
    }

    /** A source that counts the readers it opened. */
    private static final class CountedSource implements Source {
        final AtomicInteger readers = new AtomicInteger();
        private final Source source;

        CountedSource(Source source) {
            this.source = source;
        }

        @Override
        public String name() {
            return source.name();
        }

        @Override
        public BatchSchema schema() {
            return source.schema();
        }

        @Override
        public SourceReader createReader(TaskContext context) throws Exception {
            readers.incrementAndGet();
            return source.createReader(context);
        }

        @Override
        public boolean isRewindable() {
            return source.isRewindable();
        }

        @Override
        public SourceReader restoreReader(TaskContext context, List<byte[]> positions) throws Exception {
            readers.incrementAndGet();
            return source.restoreReader(context, positions);
        }
    }

    private static int finishedMarks(Manifest manifest) {
        int n = 0;
        for (Manifest.Entry e : manifest.entries()) {
            if (e.kind() == Manifest.Kind.FINISHED) {
                n++;
            }
        }
        return n;
    }

    /**
     * A sink subtask that finished early has its last staged output in the checkpoints after; a failure
     * elsewhere then restores it finished with that output committed: neither lost nor written twice.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aSinkThatFinishedEarlyKeepsItsOutputAcrossAFailure(int p) {
        for (int seed = 0; seed < 4; seed++) {
            PlannedFailures failures = PlannedFailures.random(seed * 31L + p, 1 + seed % 3, RECORDS,
                    "keyBy(key).sum(value)");
            Environment env = env(p).enableCheckpointing(Duration.ofMillis(2), dir.resolve("sink-" + p + "-" + seed))
                    .setRestartStrategy(RestartStrategy.fixedDelay(10, Duration.ZERO)).injectFailures(failures);
            List<Tuple> early = new ArrayList<>();
            List<Tuple> sums = new ArrayList<>();
            env.generate(2_000, 97).collect(early);
            env.generate(RECORDS, 97, 400_000).keyBy("key").sum("value").collect(sums);
            JobResult result = env.execute("early-sink");
            String context = "p " + p + ", seed " + seed + ", failures " + failures;
            failures.assertHappened(result, context);
            List<Long> values = new ArrayList<>();
            for (Tuple t : early) {
                values.add((Long) t.field(1));
            }
            values.sort(null);
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < 2_000; i++) {
                expected.add(i);
            }
            assertEquals(expected, values, context);
            assertEquals(RECORDS, sums.size(), context);
            assertExactlyOnceSums(sums, context);
        }
    }

    @Test
    void aCheckpointThatCannotBeWrittenFailsAndTheNextSucceeds() throws Exception {
        AtomicInteger refused = new AtomicInteger();
        FailureInjector fullDisk = new FailureInjector() {
            @Override
            public void beforeBatch(String operator, int subtask, int rows) {
            }

            @Override
            public void beforeStateWrite(long checkpointId, Path file) throws IOException {
                if (checkpointId == 1) {
                    refused.incrementAndGet();
                    throw new IOException("No space left on device");
                }
            }
        };
        Environment env = env(2).enableCheckpointing(Duration.ZERO, dir.resolve("full")).injectFailures(fullDisk);
        List<Tuple> out = new ArrayList<>();
        env.generate(RECORDS * 10, 97, 200_000).keyBy("key").sum("value").collect(out);
        JobHandle job = env.executeAsync("full-disk");
        ExecutionException first = assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get());
        assertTrue(first.getCause().getMessage().startsWith("checkpoint 1 aborted: "), first.getCause().getMessage());
        assertTrue(first.getCause().getMessage().contains("No space left on device"), first.getCause().getMessage());
        assertEquals(2L, job.triggerCheckpoint().get());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        assertTrue(refused.get() > 0);
        assertTrue(Files.exists(dir.resolve("full/chk-2/_manifest")));
        assertTrue(!Files.exists(dir.resolve("full/chk-1")));
    }

    @Test
    void aCorruptStateFileIsDetectedAndTheCheckpointBeforeIsUsed() throws Exception {
        Path checkpoints = dir.resolve("corrupt");
        Environment env = env(2).enableCheckpointing(Duration.ZERO, checkpoints).setCheckpointsRetained(5);
        StopAfter stop = new StopAfter("keyBy(", RECORDS / 2);
        env.injectFailures(stop);
        List<Tuple> first = new ArrayList<>();
        env.generate(RECORDS, 97, 100_000).keyBy("key").sum("value").collect(first);
        JobHandle job = env.executeAsync("corrupt");
        stop.await(job);
        long older = job.triggerCheckpoint().get();
        long newer = job.triggerCheckpoint().get();
        long reportedBytes = job.lastCheckpointBytes();
        assertTrue(job.lastCheckpointPauseNanos() > 0 && job.lastCheckpointPauseNanos() <= job.maxCheckpointPauseNanos(),
                job.lastCheckpointPauseNanos() + " ns paused, at most " + job.maxCheckpointPauseNanos());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        long stateFileBytes = 0;
        try (var files = Files.list(checkpoints.resolve("chk-" + newer))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".state")) {
                    stateFileBytes += Files.size(f);
                }
            }
        }
        assertEquals(stateFileBytes, reportedBytes, "the last checkpoint's bytes are its state files'");

        try (var files = Files.list(checkpoints.resolve("chk-" + newer))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".state")) {
                    byte[] bytes = Files.readAllBytes(f);
                    bytes[bytes.length / 2] ^= 0x10;
                    Files.write(f, bytes);
                }
            }
        }
        // collect(list) cannot take back what checkpoint `newer` committed into the first job's list.
        Environment again = env(2).enableCheckpointing(Duration.ZERO, checkpoints).restoreFrom(checkpoints)
                .allowDuplicatesOnFallback();
        List<Tuple> rest = new ArrayList<>();
        again.generate(RECORDS, 97, 400_000).keyBy("key").sum("value").collect(rest);
        again.execute("corrupt-restored");
        // Checkpoint `newer` fails its checksums when read; `older` is restored: fewer records than a fresh
        // start, and every running sum right.
        assertTrue(rest.size() < RECORDS && older < newer, rest.size() + " records after restoring");

        Map<Object, List<Object>> sums = perKey(rest, 1);
        assertEquals(97, sums.size());
        for (Map.Entry<Object, List<Object>> e : sums.entrySet()) {
            long key = (Long) e.getKey();
            long total = 0;
            for (long i = key; i < RECORDS; i += 97) {
                total += i;
            }
            long last = 0;
            for (Object v : e.getValue()) {
                last = Math.max(last, (Long) v);
            }
            assertEquals(total, last, "key " + key + ": the sum goes on from the restored state");
        }
    }
}
