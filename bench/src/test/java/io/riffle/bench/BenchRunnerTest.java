package io.riffle.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The runner end to end on a tiny run of Riffle alone: every workload, warm and cold runs, the files it writes. */
class BenchRunnerTest {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    @Test
    void aTinyRunWritesResultsSummaryAndPlots(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int exit = new CommandLine(new BenchRunner(new PrintStream(log, true, StandardCharsets.UTF_8)))
                .execute("--systems", "riffle", "--records", "30000", "--keys", "7", "--repetitions", "2",
                        "--warmup-seconds", "0", "--cold", "1", "--latency-rate", "0", "--out", dir.toString(), "--commit", "abc1234");
        assertEquals(0, exit, log.toString(StandardCharsets.UTF_8));

        int workloads = Workload.values().length;
        String json = Files.readString(dir.resolve("results.json"));
        assertTrue(json.contains("\"commit\": \"abc1234\""), json);
        assertEquals(workloads, count(json, "\"phase\":\"warmup\""), json);
        assertEquals(2 * workloads, count(json, "\"phase\":\"warm\""), json);
        assertEquals(workloads, count(json, "\"phase\":\"cold\""), json);
        assertEquals(workloads, count(json, "\"checksums_agree\":true"), json);
        // Every run of a workload produced the same rows: one checksum per workload across its four runs.
        for (Workload w : Workload.values()) {
            Matcher m = Pattern.compile("\"workload\":\"" + w + "\",\"records\":30000,\"keys\":7,\"parallelism\":2,"
                    + "\"seconds\":[0-9.]+,\"records_per_s\":[0-9.]+,\"rows\":(\\d+),\"checksum\":\"([0-9a-f]{16})\"")
                    .matcher(json);
            String seen = null;
            int runs = 0;
            while (m.find()) {
                String rowsAndSum = m.group(1) + "/" + m.group(2);
                assertTrue(seen == null || seen.equals(rowsAndSum), w + ": " + seen + " vs " + rowsAndSum);
                seen = rowsAndSum;
                runs++;
            }
            assertEquals(4, runs, w + " runs in " + json);
        }

        String summary = Files.readString(dir.resolve("summary.md"));
        assertTrue(summary.startsWith("# Bench run "), summary);
        for (Workload w : Workload.values()) {
            assertTrue(Pattern.compile("\\| " + w + " \\| 30000 \\| riffle \\| [0-9.]+ [kM]/s \\| [0-9.]+ [kM]/s - "
                    + "[0-9.]+ [kM]/s \\| [0-9.]+ [kM]/s \\| [0-9.]+ [kM]/s - [0-9.]+ [kM]/s \\| agrees \\|").matcher(summary)
                    .find(), w + " row in\n" + summary);
            Path plot = dir.resolve("throughput-" + w + ".png");
            assertTrue(summary.contains("[throughput-" + w + ".png](throughput-" + w + ".png)"), summary);
            assertArrayEquals(PNG, Arrays.copyOf(Files.readAllBytes(plot), 4), plot.toString());
        }
    }

    @Test
    void aSystemWarmsUpUntilItsRunsAddUpToTheWarmUpSeconds() throws Exception {
        double[] seconds = {0.4, 0.3, 0.2, 0.9, 5.0};
        Contender stub = new Contender() {
            int calls;

            public String name() {
                return "stub";
            }

            public boolean runs(Workload workload) {
                return true;
            }

            public Run run(Workload workload, long records, long keys, int parallelism) {
                return new Run("stub", workload, records, keys, parallelism, seconds[calls++], 1, 0);
            }
        };
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Settings settings = new Settings(java.util.List.of(Workload.W2), java.util.Map.of(Workload.W2, 10L), 7, 2, 1,
                1.0, 0, null, java.util.List.of());
        // 0.4 + 0.3 + 0.2 = 0.9 s is short of 1 s; the fourth run makes it 1.8 s.
        java.util.List<Measurement> runs = BenchRunner.warmUp(stub, Workload.W2, 10, settings, out);
        assertEquals(4, runs.size(), runs.toString());
        for (int i = 0; i < runs.size(); i++) {
            assertEquals(Measurement.Phase.WARMUP, runs.get(i).phase());
            assertEquals(i, runs.get(i).repetition());
            assertEquals(seconds[i], runs.get(i).wallSeconds());
        }
        assertEquals(4, count(log.toString(StandardCharsets.UTF_8), "\"phase\":\"warmup\""));

        Settings none = new Settings(java.util.List.of(Workload.W2), java.util.Map.of(Workload.W2, 10L), 7, 2, 1,
                0, 0, null, java.util.List.of());
        assertEquals(1, BenchRunner.warmUp(stub, Workload.W2, 10, none, out).size(), "at least one warm-up run");
    }

    @Test
    void badArgumentsAreNamed() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new BenchRunner(new PrintStream(err, true, StandardCharsets.UTF_8)));
        cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
        assertEquals(1, cli.execute("--records", "W1=ten", "--latency-rate", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--records takes N or W1=N,W2=N,...; not 'W1=ten'"),
                err.toString(StandardCharsets.UTF_8));

        err.reset();
        assertEquals(1, cli.execute("--warmup-seconds", "-1", "--latency-rate", "0", "--records", "10"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("warm-up seconds -1.0"), err.toString(StandardCharsets.UTF_8));

        err.reset();
        assertEquals(1, cli.execute("--checkpoint-interval-ms", "0", "--records", "10"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("L1 is measured with checkpoints running: the"
                + " checkpoint interval must be positive, not 0 ms"), err.toString(StandardCharsets.UTF_8));

        err.reset();
        assertEquals(1, cli.execute("--systems", "storm", "--latency-rate", "0", "--records", "10"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no system named 'storm' on the classpath; there are [riffle, java-loop]"),
                err.toString(StandardCharsets.UTF_8));
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
