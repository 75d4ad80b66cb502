package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job that checkpoints often, keeping one checkpoint, then restored from it: afterwards the process maps
 * no checkpoint file, deleted or not. (Mappings left to the garbage collector, which an off-heap engine
 * rarely wakes, kept every pruned checkpoint's pages and disk space: RSS and disk grew with each checkpoint.)
 */
@Timeout(120)
class CheckpointMappingsTest {
    private static final Path MAPS = Path.of("/proc/self/maps");
    private static final long RECORDS = 200_000;
    private static final long KEYS = 50_000;
    /** Where every checkpoint is taken: a multiple of the batch size, so exact at parallelism 1. */
    private static final long HELD_AT = 49 * 1024;

    @TempDir
    Path dir;

    @Test
    void checkpointsWrittenPrunedAndRestoredLeaveNoMapping() throws Exception {
        assumeTrue(Files.isReadable(MAPS), "needs Linux's /proc/self/maps");
        Path checkpoints = dir.resolve("checkpoint-mappings-test");
        SourceGate gate = new SourceGate();
        Environment env = Environment.streaming().setParallelism(1).setBatchSize(1024)
                .enableCheckpointing(Duration.ZERO, checkpoints).setCheckpointsRetained(1).injectFailures(gate);
        env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS))).keyBy("key").sum("value")
                .forEachBatch(batch -> { });
        gate.holdAt(HELD_AT);
        JobHandle job = env.executeAsync("mappings");
        gate.awaitHeld(job);
        for (long id = 1; id <= 10; id++) {
            assertEquals(id, job.triggerCheckpoint().get());
        }
        job.cancel();
        assertThrows(JobFailedException.class, job::await);

        // Rows are summed up in the sink rather than collected: the test makes (almost) no garbage, so no
        // collection comes to unmap what nothing else would.
        long[] rows = new long[2];
        Environment restored = Environment.streaming().setParallelism(1).setBatchSize(1024).restoreFrom(checkpoints);
        // Behind a gate that holds nothing, the generator reads the positions of the gated run's checkpoint.
        restored.fromSource(new SourceGate().wrap(new GeneratorSource(RECORDS, KEYS))).keyBy("key").sum("value").forEachBatch(batch -> {
            for (int r = 0; r < batch.rowCount(); r++) {
                rows[0]++;
                rows[1] += batch.int64(0).get(r) << 40 | batch.int64(1).get(r);
            }
        });
        restored.execute("mappings-restored");
        long[] expected = RunningSums.expected(RECORDS, KEYS, HELD_AT);
        assertArrayEquals(new long[] {expected.length, LongStream.of(expected).sum()}, rows,
                "count and sum of the running sums after the restored checkpoint");

        List<String> mapped = new ArrayList<>();
        for (String line : Files.readAllLines(MAPS)) {
            if (line.contains(checkpoints.toString())) {
                mapped.add(line);
            }
        }
        assertEquals(List.of(), mapped, "mappings of checkpoint files");
    }
}
