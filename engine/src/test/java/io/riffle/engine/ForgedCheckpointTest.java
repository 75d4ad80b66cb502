package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.riffle.engine.connector.file.TransactionalCsvSink;
import io.riffle.engine.internal.checkpoint.CheckpointStorage;
import io.riffle.engine.internal.checkpoint.Manifest;
import io.riffle.engine.internal.connector.CollectSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoints whose manifest passes its checksum but says what the job never wrote: committables that
 * name files outside the sink's directory or not of the sink, entries of operators the job does not have,
 * another max parallelism. The restore fails or passes the checkpoint over, saying why, and renames or
 * deletes nothing outside the job's directories.
 */
@Timeout(60)
class ForgedCheckpointTest {
    private static final String LEGIT = "part-0-0000000000001-00ab-000000-c1.csv.pending";
    private static final String EXPECTED_NAMES = "part-<subtask>-<writer>-<n>-c<checkpoint>.csv.pending";

    @TempDir
    Path dir;

    private static byte[] names(String... names) {
        return String.join("\n", names).getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../victim.csv.pending", "sub/../../victim.csv.pending", "ABSOLUTE"})
    void aCommittableNamingAFileOutsideTheSinkRenamesNothing(String forged) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path victim = Files.writeString(dir.resolve("victim.csv.pending"), "someone else's\n");
        String name = forged.equals("ABSOLUTE") ? victim.toString() : forged;
        Files.writeString(out.resolve(LEGIT), "key\n1\n");
        TransactionalCsvSink sink = new TransactionalCsvSink(out);
        IOException e = assertThrows(IOException.class, () -> sink.commit(List.of(names(LEGIT, name))));
        assertEquals("committable names '" + name + "', which is not a file this sink writes (" + EXPECTED_NAMES
                + " in " + out + ")", e.getMessage());
        assertEquals("someone else's\n", Files.readString(victim));
        assertFalse(Files.exists(dir.resolve("victim.csv")));
        assertTrue(Files.exists(out.resolve(LEGIT)), "nothing of a forged committable is committed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"notes.txt.pending", "part-0.csv.pending", "part-0-0000000000001-00ab-000000-c1.csv",
        "part-0-0000000000001-00ab-000000.csv.pending", ".part-0-0000000000001-00ab-000000-c1.csv.pending"})
    void aCommittableNamingAFileTheSinkDoesNotWriteIsRefused(String forged) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path other = Files.writeString(out.resolve(forged), "not the sink's\n");
        IOException e = assertThrows(IOException.class,
                () -> new TransactionalCsvSink(out).commit(List.of(names(forged))));
        assertEquals("committable names '" + forged + "', which is not a file this sink writes (" + EXPECTED_NAMES
                + " in " + out + ")", e.getMessage());
        assertEquals("not the sink's\n", Files.readString(other));
    }

    @Test
    void aCollectCommittableThatIsNotAListOfStagesIsRefused() {
        List<Tuple> target = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CollectSink(target).commit(List.of(new byte[8], new byte[7])));
        assertEquals("a committable of 7 bytes is not a list of stages", e.getMessage());
        assertEquals(List.of(), target);
    }

    private Environment env() {
        return Environment.streaming().setParallelism(2).setBatchSize(100)
                .enableCheckpointing(Duration.ZERO, dir.resolve("ckpt"));
    }

    /** The job, its source behind {@code gate}; a restoring job's gate holds nothing but reads the positions. */
    private static void job(Environment env, SourceGate gate, Path out) {
        env.fromSource(gate.wrap(FallbackTest.keyValues("gated", 3_000, 50))).keyBy("key").sum("value")
                .addSink(new TransactionalCsvSink(out));
    }

    /** A job stopped after checkpoint 1 (records before 1000); returns that checkpoint's directory. */
    private Path checkpointOne() throws Exception {
        SourceGate gate = new SourceGate();
        Environment env = env().injectFailures(gate);
        job(env, gate, dir.resolve("out"));
        gate.holdAt(1_000);
        JobHandle job = env.executeAsync("forged");
        gate.awaitHeld(job);
        assertEquals(1L, job.triggerCheckpoint().get());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        return dir.resolve("ckpt/chk-1");
    }

    /** Writes {@code entries} as the checkpoint's manifest, with a valid checksum. */
    private void rewrite(Path checkpoint, List<Manifest.Entry> entries) throws IOException {
        Manifest m = CheckpointStorage.load(checkpoint).manifest();
        new CheckpointStorage(checkpoint.getParent(), 10).complete(checkpoint, new Manifest(m.checkpointId(),
                m.savepoint(), m.timestampMillis(), m.maxParallelism(), m.planFingerprint(), entries));
    }

    @Test
    void aForgedCommittableInACheckpointFailsTheRestoreAndTouchesNothingOutside() throws Exception {
        Path checkpoint = checkpointOne();
        Path victim = Files.writeString(dir.resolve("victim.csv.pending"), "someone else's\n");
        List<Manifest.Entry> entries = new ArrayList<>();
        for (Manifest.Entry e : CheckpointStorage.load(checkpoint).manifest().entries()) {
            entries.add(e.kind() == Manifest.Kind.COMMITTABLE
                    ? Manifest.Entry.committable(e.operator(), e.subtask(), names("../victim.csv.pending")) : e);
        }
        rewrite(checkpoint, entries);

        Environment again = env().restoreFrom(dir.resolve("ckpt"));
        job(again, new SourceGate(), dir.resolve("out"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> again.executeAsync("forged"));
        assertEquals("job 'forged' cannot restore " + checkpoint + ": sink 'csv-exactly-once(out)' could not commit:"
                + " committable names '../victim.csv.pending', which is not a file this sink writes (" + EXPECTED_NAMES
                + " in " + dir.resolve("out") + ")", e.getMessage());
        assertEquals("someone else's\n", Files.readString(victim));
        assertFalse(Files.exists(dir.resolve("victim.csv")));
    }

    @Test
    void aCheckpointWithAnEntryOfAnOperatorTheJobLacksIsNotRestored() throws Exception {
        Path checkpoint = checkpointOne();
        List<Manifest.Entry> entries = new ArrayList<>(CheckpointStorage.load(checkpoint).manifest().entries());
        entries.add(Manifest.Entry.position(99, 0, new byte[8]));
        rewrite(checkpoint, entries);

        Environment again = env().restoreFrom(dir.resolve("ckpt"));
        job(again, new SourceGate(), dir.resolve("out"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> again.executeAsync("forged"));
        assertEquals("no checkpoint in " + dir.resolve("ckpt") + " could be restored: " + checkpoint.resolve("_manifest")
                + ": an entry of operator 99, which this job does not have", e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherMaxParallelismIsNotRestored() throws Exception {
        Path checkpoint = checkpointOne();
        Environment again = env().setMaxParallelism(64).restoreFrom(checkpoint);
        job(again, new SourceGate(), dir.resolve("out"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> again.executeAsync("forged"));
        assertEquals("checkpoint " + checkpoint + " was taken at a max parallelism of 128, this job has 64: keyed"
                + " state is filed by key group, so set the same (setMaxParallelism(128))", e.getMessage());
    }
}
