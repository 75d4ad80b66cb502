package io.riffle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiffleLatencyTest {
    /** A short run: 0.5 s of records at 200 k/s, with a checkpoint every 50 ms. */
    private static final LatencySetup SETUP = new LatencySetup(200_000, 100_000, 20_000, 100, 2,
            Duration.ofMillis(50));

    @TempDir
    Path scratch;

    @Test
    void measuresEveryRecordAfterTheWarmupWithCheckpointsRunning() throws Exception {
        // The job fails when it leaves Arrow memory allocated, so a returned run also says the allocator was empty.
        LatencyRun run = RiffleLatency.measure(SETUP, scratch);
        System.out.println("L1 small run (loaded machine, not a measurement): " + run.toJson());

        assertEquals("riffle", run.system());
        assertEquals(RiffleLatency.VARIANT, run.variant());
        assertEquals(SETUP.records() - SETUP.warmupRecords(), run.measuredRecords());
        assertTrue(run.p50Nanos() > 0, "p50 " + run.p50Nanos());
        assertTrue(run.p50Nanos() <= run.p99Nanos() && run.p99Nanos() <= run.p999Nanos()
                && run.p999Nanos() <= run.maxNanos(), run.toJson());
        // The pacing never runs ahead of its rate. How far a loaded machine leaves it behind, and how many
        // periodic checkpoints complete meanwhile, are what a run measures, not what it must reach.
        assertTrue(run.achievedRecordsPerSecond() > 0, run.toJson());
        assertTrue(run.achievedRecordsPerSecond() <= SETUP.recordsPerSecond() * 1.001, run.toJson());
        try (Stream<Path> left = Files.list(scratch)) {
            assertEquals(0, left.count(), "the checkpoint directory is deleted after the run");
        }
    }
}
