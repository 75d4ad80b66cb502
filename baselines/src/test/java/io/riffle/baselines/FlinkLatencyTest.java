package io.riffle.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import io.riffle.bench.LatencyRun;
import io.riffle.bench.LatencySetup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class FlinkLatencyTest {
    /** A short run: 0.5 s of records at 200 k/s over two subtasks (2 divides the record count, so the count is exact). */
    private static final LatencySetup SETUP = new LatencySetup(200_000, 100_000, 20_000, 100, 2,
            Duration.ofMillis(50));

    @TempDir
    Path scratch;

    @ParameterizedTest
    @FieldSource("io.riffle.baselines.FlinkLatency#VARIANTS")
    void measuresEveryRecordAfterTheWarmup(String variant) throws Exception {
        LatencyRun run = FlinkLatency.measure(variant, SETUP, scratch);
        System.out.println("L1 small run (loaded machine, not a measurement): " + run.toJson());

        assertEquals("flink", run.system());
        assertEquals(variant, run.variant());
        assertEquals(SETUP.records() - SETUP.warmupRecords(), run.measuredRecords());
        assertTrue(run.p50Nanos() > 0, "p50 " + run.p50Nanos());
        assertTrue(run.p50Nanos() <= run.p99Nanos() && run.p99Nanos() <= run.p999Nanos()
                && run.p999Nanos() <= run.maxNanos(), run.toJson());
        assertTrue(run.achievedRecordsPerSecond() > 0, run.toJson());
        assertTrue(run.achievedRecordsPerSecond() <= SETUP.recordsPerSecond() * 1.001, run.toJson());
        try (Stream<Path> left = Files.list(scratch)) {
            assertEquals(0, left.count(), "the checkpoint directory is deleted after the run");
        }
    }

    @Test
    void rejectsAnUnknownVariant() {
        assertEquals("Flink's L1 variants are [buffer-timeout-0, buffer-timeout-default], not 'fast'",
                assertThrows(IllegalArgumentException.class, () -> FlinkLatency.measure("fast", SETUP, scratch))
                        .getMessage());
    }
}
