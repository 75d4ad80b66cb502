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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly-once recovery of keyed state: W1 (running sum per key) and a streaming word count, with 1 to 5
 * failures at random operators, each after a checkpoint taken at a random record count (a seeded
 * {@link RecoveryScript}), at parallelism 1, 2 and 4: the committed output equals a failure-free run's,
 * record for record per key. Also rescaling through savepoints, a checkpoint that fails to write, and
 * corrupt state files.
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

    /** {@code records} generator records over 97 keys, held by {@code gate}. */
    private static DataStream generated(Environment env, SourceGate gate, long records) {
        return env.fromSource(gate.wrap(new GeneratorSource(records, 97)));
    }

    private static void w1(Environment env, SourceGate gate, List<Tuple> out) {
        generated(env, gate, RECORDS).keyBy("key").sum("value").collect(out);
    }

    private static void wordCount(Environment env, SourceGate gate, List<Tuple> out) {
        env.fromSource(gate.wrap(new ZipfWordsSource(RECORDS, 500))).rebalance().keyBy("word").count().collect(out);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void w1CommitsExactlyTheFailureFreeOutput(int p) throws Exception {
        for (int seed = 0; seed < 4; seed++) {
            int count = 1 + (seed + p) % 5;
            RecoveryScript script = RecoveryScript.random(seed * 17L + p, count, RECORDS / p,
                    "keyBy(key).sum(value)", "collect");
            Environment env = script.configure(env(p), dir.resolve("w1-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            w1(env, script.gate(), out);
            script.run(env, "w1");
            String context = "p " + p + ", " + script;
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
    void reduceCommitsExactlyTheFailureFreeOutput(int p) throws Exception {
        for (int seed = 0; seed < 3; seed++) {
            int count = 1 + (seed * 3 + p) % 5;
            RecoveryScript script = RecoveryScript.random(seed * 23L + p, count, RECORDS / p, "keyBy(key).reduce",
                    "collect");
            Environment env = script.configure(env(p), dir.resolve("reduce-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            sumByReduce(generated(env, script.gate(), RECORDS)).collect(out);
            script.run(env, "reduce");
            String context = "p " + p + ", " + script;
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
                RECORDS / 6, (env, gate, out) -> sumByReduce(generated(env, gate, RECORDS)).collect(out));
        assertEquals(RECORDS, all.size());
        assertExactlyOnceSums(all, "reduce rescaled 2 -> 4 -> 1");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void wordCountCommitsExactlyTheFailureFreeOutput(int p) throws Exception {
        List<Tuple> reference = new ArrayList<>();
        Environment plain = env(p);
        wordCount(plain, new SourceGate(), reference);
        plain.execute("wordcount");
        for (int seed = 0; seed < 3; seed++) {
            int count = 1 + (seed * 2 + p) % 5;
            RecoveryScript script = RecoveryScript.random(seed * 13L + p, count, RECORDS / p,
                    "keyBy(word).", "rebalance", "collect");
            Environment env = script.configure(env(p), dir.resolve("wc-" + p + "-" + seed));
            List<Tuple> out = new ArrayList<>();
            wordCount(env, script.gate(), out);
            script.run(env, "wordcount");
            String context = "p " + p + ", " + script;
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
        List<Tuple> all = SavepointRescale.run(dir, new int[] {2, 4, 1}, KeyedRecoveryTest::env, RECORDS / 6,
                (env, gate, out) -> generated(env, gate, RECORDS).keyBy("key").sum("value").collect(out));
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
        SourceGate gate = new SourceGate();
        Environment env = env(2).enableCheckpointing(Duration.ZERO, checkpoints).injectFailures(gate);
        List<Tuple> first = new ArrayList<>();
        env.fromSource(gate.wrap(new GeneratorSource(2_000, 97))).union(generated(env, gate, RECORDS))
                .keyBy("key").sum("value").collect(first);
        // The small source's readers (1 000 records each) read everything; the large one's stop halfway.
        gate.holdAt(RECORDS / 4);
        JobHandle job = env.executeAsync("finished-source");
        gate.awaitHeld(job);
        // Its subtasks end their chains right after their last batch; savepoints go on until one records that.
        Path savepoint = null;
        while (savepoint == null) {
            Path candidate = checkpoints.resolve("savepoint-" + job.triggerSavepoint().get());
            if (finishedMarks(CheckpointStorage.load(candidate).manifest()) == 2) {
                savepoint = candidate;
            }
        }
        job.cancel();
        assertThrows(JobFailedException.class, job::await);

        Environment again = env(restoredParallelism).enableCheckpointing(Duration.ZERO, dir.resolve("again"))
                .restoreFrom(savepoint);
        List<Tuple> rest = new ArrayList<>();
        SourceGate unheld = new SourceGate();
        CountedSource small = new CountedSource(new GeneratorSource(2_000, 97));
        again.fromSource(unheld.wrap(small)).union(generated(again, unheld, RECORDS)).keyBy("key").sum("value")
                .collect(rest);
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
    void aSinkThatFinishedEarlyKeepsItsOutputAcrossAFailure(int p) throws Exception {
        for (int seed = 0; seed < 4; seed++) {
            RecoveryScript script = RecoveryScript.random(seed * 31L + p, 1 + seed % 3, RECORDS / p,
                    "keyBy(key).sum(value)");
            Environment env = script.configure(env(p), dir.resolve("sink-" + p + "-" + seed));
            List<Tuple> early = new ArrayList<>();
            List<Tuple> sums = new ArrayList<>();
            generated(env, script.gate(), 2_000).collect(early);
            generated(env, script.gate(), RECORDS).keyBy("key").sum("value").collect(sums);
            script.run(env, "early-sink");
            String context = "p " + p + ", " + script;
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
        SourceGate gate = new SourceGate(fullDisk);
        Environment env = env(2).enableCheckpointing(Duration.ZERO, dir.resolve("full")).injectFailures(gate);
        List<Tuple> out = new ArrayList<>();
        generated(env, gate, RECORDS).keyBy("key").sum("value").collect(out);
        gate.holdAt(RECORDS / 4);
        JobHandle job = env.executeAsync("full-disk");
        gate.awaitHeld(job);
        ExecutionException first = assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get());
        assertTrue(first.getCause().getMessage().startsWith("checkpoint 1 aborted: "), first.getCause().getMessage());
        assertTrue(first.getCause().getMessage().contains("No space left on device"), first.getCause().getMessage());
        assertEquals(2L, job.triggerCheckpoint().get());
        gate.release();
        assertEquals(1, job.await().checkpoints(), "checkpoint 2 completed, checkpoint 1 did not");
        assertExactlyOnceSums(out, "after a checkpoint that could not be written");
        assertTrue(refused.get() > 0);
        assertTrue(Files.exists(dir.resolve("full/chk-2/_manifest")));
        assertTrue(!Files.exists(dir.resolve("full/chk-1")));
    }

    @Test
    void aCorruptStateFileIsDetectedAndTheCheckpointBeforeIsUsed() throws Exception {
        Path checkpoints = dir.resolve("corrupt");
        SourceGate gate = new SourceGate();
        Environment env = env(2).enableCheckpointing(Duration.ZERO, checkpoints).setCheckpointsRetained(5)
                .injectFailures(gate);
        generated(env, gate, RECORDS).keyBy("key").sum("value").collect(new ArrayList<>());
        gate.holdAt(RECORDS / 4);
        JobHandle job = env.executeAsync("corrupt");
        gate.awaitHeld(job);
        long older = SourceGate.checkpoint(job);
        long readBeforeOlder = 0;
        for (long count : gate.counts(0).values()) {
            readBeforeOlder += count;
        }
        gate.holdAt(RECORDS * 3 / 8);
        gate.awaitHeld(job);
        long newer = SourceGate.checkpoint(job);
        long reportedBytes = job.lastCheckpointBytes();
        assertTrue(job.lastCheckpointPauseNanos() > 0 && job.lastCheckpointPauseNanos() <= job.maxCheckpointPauseNanos(),
                job.lastCheckpointPauseNanos() + " ns paused, at most " + job.maxCheckpointPauseNanos());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        long stateFileBytes = 0;
        try (var files = Files.list(checkpoints.resolve("chk-" + newer))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                // A state file and the files an operator writes beside it (the running sum's first records).
                if (f.getFileName().toString().contains(".state")) {
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
        generated(again, new SourceGate(), RECORDS).keyBy("key").sum("value").collect(rest);
        again.execute("corrupt-restored");
        // Checkpoint `newer` fails its checksums when read; `older` is restored: exactly the records after
        // it come again, and every running sum is right.
        assertTrue(older < newer);
        assertEquals(RECORDS - readBeforeOlder, rest.size(), "records after restoring checkpoint " + older);

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
