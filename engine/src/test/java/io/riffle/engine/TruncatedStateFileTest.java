package io.riffle.engine;

import static io.riffle.engine.expr.Expr.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import io.riffle.columnar.hash.Aggregate;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newest checkpoint's state file was cut short by another process and grown back to its length (so its
 * manifest, which checks sizes, still takes it): the restore reads it, finds a key group failing its checksum,
 * and falls back to the checkpoint before, with exactly that checkpoint's output. Keyed sums (snapshot files)
 * and session windows (session state files). That a file cut while it is being read is a clean error, never a
 * fault, {@code TruncatedSnapshotFileTest} shows where the read happens.
 */
@Timeout(120)
class TruncatedStateFileTest {
    private static final long RECORDS = 40_000;
    private static final long KEYS = 97;
    /** The source positions of the two checkpoints: multiples of the batch size, so exact at parallelism 1. */
    private static final long OLDER_AT = 64 * 100;
    private static final long NEWER_AT = 64 * 300;

    @TempDir
    Path dir;

    @Test
    void aCutStateFileOfTheNewestCheckpointRestoresTheOneBeforeWithItsExactOutput() throws Exception {
        BiConsumer<DataStream, List<Tuple>> sums = (source, out) -> source.keyBy("key").sum("value").collect(out);
        Path checkpoints = twoCheckpointsWithTheNewestCut("sums", sums);
        List<Tuple> out = new ArrayList<>();
        // The first run's collected output is not looked at, so repeating it is harmless here.
        Environment restored = env().restoreFrom(checkpoints).allowDuplicatesOnFallback();
        sums.accept(unheldSource(restored), out);
        restored.execute("sums-restored");
        assertArrayEquals(RunningSums.expected(RECORDS, KEYS, OLDER_AT), RunningSums.of(out),
                "the running sums of the records after checkpoint 1");
    }

    private static Environment env() {
        return Environment.streaming().setParallelism(1).setBatchSize(64);
    }

    /** The generator behind a gate that holds nothing: it reads the positions of the gated run's checkpoints. */
    private static DataStream unheldSource(Environment env) {
        return env.fromSource(new SourceGate().wrap(new GeneratorSource(RECORDS, KEYS)));
    }

    private static void sessions(DataStream source, List<Tuple> out) {
        source.where(col("value").mod(100).lt(60))
                .assignTimestampsAndWatermarks(WatermarkStrategy.monotonousTimestamps("timestamp"))
                .keyBy("key").window(Windows.session(Duration.ofMillis(20)))
                .aggregate(Aggregate.sum("value"), Aggregate.count()).collect(out);
    }

    /**
     * Sessions: the job restored past the cut checkpoint emits what a job restored from the older one, named
     * explicitly, emits.
     */
    @Test
    void aCutSessionStateFileOfTheNewestCheckpointRestoresTheOneBefore() throws Exception {
        Path checkpoints = twoCheckpointsWithTheNewestCut("sessions", TruncatedStateFileTest::sessions);
        List<Tuple> fellBack = new ArrayList<>();
        Environment fallback = env().restoreFrom(checkpoints).allowDuplicatesOnFallback();
        sessions(unheldSource(fallback), fellBack);
        fallback.execute("sessions-fell-back");
        List<Tuple> older = new ArrayList<>();
        Environment named = env().restoreFrom(checkpoints.resolve("chk-1"));
        sessions(unheldSource(named), older);
        named.execute("sessions-older");
        assertTrue(older.size() > 100, older.size() + " sessions after the older checkpoint");
        assertEquals(TupleLists.sorted(older), TupleLists.sorted(fellBack));
    }

    /**
     * Runs {@code job} over a gated generator, takes checkpoint 1 at {@link #OLDER_AT} records and 2 at
     * {@link #NEWER_AT}, cancels it, then cuts checkpoint 2's state files in half and grows them back.
     */
    private Path twoCheckpointsWithTheNewestCut(String name, BiConsumer<DataStream, List<Tuple>> job)
            throws Exception {
        Path checkpoints = dir.resolve(name);
        SourceGate gate = new SourceGate();
        Environment env = env().enableCheckpointing(Duration.ZERO, checkpoints).injectFailures(gate);
        job.accept(env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS))), new ArrayList<>());
        gate.holdAt(OLDER_AT);
        JobHandle running = env.executeAsync(name);
        gate.awaitHeld(running);
        assertEquals(1L, running.triggerCheckpoint().get());
        gate.holdAt(NEWER_AT);
        gate.awaitHeld(running);
        assertEquals(2L, running.triggerCheckpoint().get());
        running.cancel();
        assertThrows(JobFailedException.class, running::await);
        int cut = 0;
        try (Stream<Path> files = Files.list(checkpoints.resolve("chk-2"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".state")) {
                    long size = Files.size(f);
                    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                        raf.setLength(size / 2);
                        raf.setLength(size);
                    }
                    cut++;
                }
            }
        }
        assertTrue(cut > 0, "checkpoint 2 has state files");
        return checkpoints;
    }
}
