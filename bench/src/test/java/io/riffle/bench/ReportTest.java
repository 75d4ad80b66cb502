package io.riffle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.riffle.bench.Measurement.Phase;
import org.junit.jupiter.api.Test;

/** The figures, ratios and verdicts a report computes from known runs. */
class ReportTest {
    private static final Machine MACHINE = new Machine("test cpu", 2, 1L << 34, "Linux", "JDK");

    @Test
    void mediansRangesRatiosAndVerdicts() {
        List<Measurement> runs = new ArrayList<>();
        // Riffle: warm-up 1 s, warm 0.5 / 0.25 / 1 s, cold 2 s for 100 records -> warm median 200/s.
        runs.add(run("riffle", Workload.W2, 1.0, 7, Phase.WARMUP));
        runs.add(run("riffle", Workload.W2, 0.5, 7, Phase.WARM));
        runs.add(run("riffle", Workload.W2, 0.25, 7, Phase.WARM));
        runs.add(run("riffle", Workload.W2, 1.0, 7, Phase.WARM));
        runs.add(run("riffle", Workload.W2, 2.0, 7, Phase.COLD));
        // Spark agrees: warm 10 s, 20 s -> median 7.5/s; cold 40 s -> 2.5/s.
        runs.add(run("spark", Workload.W2, 10, 7, Phase.WARM));
        runs.add(run("spark", Workload.W2, 20, 7, Phase.WARM));
        runs.add(run("spark", Workload.W2, 40, 7, Phase.COLD));
        // Hadoop: 1 s warm (100/s) but one run's result differs.
        runs.add(run("hadoop", Workload.W2, 1, 7, Phase.WARM));
        runs.add(run("hadoop", Workload.W2, 1, 8, Phase.WARM));
        Report report = report(runs, List.of());

        Report.Figures riffle = report.figures(Workload.W2, "riffle");
        assertEquals(new Stats(3, 200, 100, 400), riffle.warm());
        assertEquals(new Stats(1, 50, 50, 50), riffle.cold());
        assertTrue(riffle.checksumsAgree());
        assertEquals(List.of("riffle", "spark", "hadoop"), report.systems(Workload.W2));

        List<Report.Comparison> c = report.comparisons(Workload.W2);
        assertEquals(2, c.size());
        assertEquals("spark", c.get(0).baseline());
        assertEquals(200 / 7.5, c.get(0).warmRatio(), 1e-9);
        assertEquals(50 / 2.5, c.get(0).coldRatio(), 1e-9);
        assertEquals("met", c.get(0).verdict());
        assertFalse(c.get(1).checksumsAgree());
        assertEquals("failed", c.get(1).verdict());
        assertTrue(Double.isNaN(c.get(1).coldRatio()));

        String md = report.markdown(List.of("throughput-W2.png"));
        assertTrue(md.contains("| W2 | 100 | riffle | 0.2 k/s | 0.1 k/s - 0.4 k/s | 0.1 k/s | 0.1 k/s - 0.1 k/s | agrees |"), md);
        assertTrue(md.contains("| W2 | 100 | hadoop | 0.1 k/s | 0.1 k/s - 0.1 k/s | - | - | **FAILED** |"), md);
        assertTrue(md.contains("| W2 | spark | 26.7x | 20.0x | >= 3x | met |"), md);
        assertTrue(md.contains("| W2 | hadoop | 2.0x | - | >= 50x | failed |"), md);
        assertTrue(md.contains("[throughput-W2.png](throughput-W2.png)"), md);

        String json = report.json();
        assertTrue(json.contains("{\"workload\":\"W2\",\"baseline\":\"spark\",\"warm_ratio\":26.667,\"cold_ratio\":20.000,"
                + "\"checksums_agree\":true,\"target\":3.000,\"verdict\":\"met\"}"), json);
        assertTrue(json.contains("\"cold\":{\"count\":0,\"median\":null,\"min\":null,\"max\":null},\"checksums_agree\":false"), json);
    }

    @Test
    void targetsAreTheBriefs() {
        assertEquals(20, Report.target(Workload.W1, "flink"));
        assertEquals(20, Report.target(Workload.W3, "flink"));
        assertEquals(3, Report.target(Workload.W2, "spark"));
        assertEquals(50, Report.target(Workload.W2, "hadoop"));
        assertTrue(Double.isNaN(Report.target(Workload.W2, "flink")));
    }

    @Test
    void latencyRowsSayWhetherP99IsUnderFiftyMicroseconds() {
        List<LatencyRun> latency = List.of(
                new LatencyRun("riffle", "default", 1_000_000, 20_000_000, 2, 999_000.0, 20, 8_000, 31_000, 90_000, 2_000_000),
                new LatencyRun("flink", "buffer-timeout-0", 1_000_000, 20_000_000, 2, 640_000.0, 19, 60_000, 900_000,
                        3_000_000, 40_000_000));
        String md = report(List.of(run("riffle", Workload.W1, 1, 7, Phase.WARM)), latency).markdown(List.of());
        assertTrue(md.contains("| riffle | default | 1.00 M/s | 999.0 k/s | 20 M | 20 | 8.0 us | 31.0 us | 90.0 us | 2000.0 us | yes |"), md);
        assertTrue(md.contains("| flink | buffer-timeout-0 | 1.00 M/s | 640.0 k/s | 20 M | 19 | 60.0 us | 900.0 us | 3000.0 us | 40000.0 us | no |"), md);
        assertTrue(md.contains("Failed runs (no figures):\n\n- L1 on flink x: boom\n"), md);
    }

    private static Measurement run(String system, Workload w, double seconds, long checksum, Phase phase) {
        return new Measurement(new Run(system, w, 100, 7, 2, seconds, 7, checksum), phase, 0, seconds);
    }

    private static Report report(List<Measurement> runs, List<LatencyRun> latency) {
        Settings settings = new Settings(List.of(Workload.W1, Workload.W2), Map.of(Workload.W1, 100L, Workload.W2, 100L),
                7, 2, 3, 5, 1, new LatencySetup(1_000_000, 25_000_000, 5_000_000, 7, 2, Duration.ofSeconds(1)), List.of());
        return new Report(settings, MACHINE, "abc1234", "2026-12-01", runs, latency, List.of("L1 on flink x: boom"));
    }
}
