package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.riffle.engine.connector.file.ArrowIpcSink;
import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyed sum written with {@code writeCsv} under checkpoints, failed after checkpoints the test takes at
 * chosen records ({@link RecoveryScript}) and restored: the file equals a failure-free run's byte for byte,
 * header once, and no temporary file is left.
 */
@Timeout(120)
class CsvSinkRecoveryTest {
    private static final long RECORDS = 20_000;

    @TempDir
    Path dir;

    private static Environment env() {
        return Environment.streaming().setParallelism(1).setBatchSize(64).setChannelCapacity(8);
    }

    private List<String> filesIn(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRestoredKeyedSumWritesTheFailureFreeFileByteForByte() throws Exception {
        Path reference = dir.resolve("reference").resolve("sums.csv");
        Environment plain = env();
        plain.fromSource(new GeneratorSource(RECORDS, 97)).keyBy("key").sum("value").writeCsv(reference);
        plain.execute("reference");
        byte[] expected = Files.readAllBytes(reference);
        for (int seed = 0; seed < 4; seed++) {
            Path out = dir.resolve("out-" + seed).resolve("sums.csv");
            RecoveryScript script = RecoveryScript.random(seed * 7L + 1, 1 + seed % 3, RECORDS,
                    "keyBy(key).sum(value)", "csv(sums.csv)");
            Environment env = script.configure(env(), dir.resolve("checkpoints-" + seed));
            env.fromSource(script.source(new GeneratorSource(RECORDS, 97))).keyBy("key").sum("value").writeCsv(out);
            script.run(env, "csv-" + seed);
            assertArrayEquals(expected, Files.readAllBytes(out), script.toString());
            assertEquals(List.of("sums.csv"), filesIn(out.getParent()), script.toString());
        }
    }

    @Test
    void aJobThatCheckpointsIntoAnArrowFileIsRefusedWhenItStarts() {
        Environment env = env().enableCheckpointing(java.time.Duration.ofHours(1), dir.resolve("checkpoints"));
        env.fromSource(new GeneratorSource(RECORDS, 97)).keyBy("key").sum("value")
                .addSink(new ArrowIpcSink(dir.resolve("sums.arrow")));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> env.executeAsync("arrow"));
        assertEquals("sink 'arrow(sums.arrow)' cannot resume its file after a restore, so a job that checkpoints"
                + " would lose its rows; write with writeCsv or TransactionalCsvSink, or run without checkpoints",
                e.getMessage());
    }
}
