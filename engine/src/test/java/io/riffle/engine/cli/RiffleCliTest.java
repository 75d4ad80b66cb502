package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.riffle.engine.cli.RiffleCli.JOBS;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiffleCliTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return RiffleCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void columnarDemoPrintsExactSumsAndASummaryLine() {
        assertEquals(0, run("run", "columnar-demo", "--records", "10000", "--keys", "7", "--batch-size", "999"));
        String[] lines = out().split("\n");
        assertEquals(8, lines.length, out());
        for (int k = 0; k < 7; k++) {
            long sum = 0;
            long count = 0;
            for (long i = k; i < 10_000; i += 7) {
                sum += i;
                count++;
            }
            assertEquals("(" + k + "," + sum + "," + count + ")", lines[k]);
        }
        String json = lines[7];
        assertTrue(json.startsWith("{\"job\":\"columnar-demo\",\"records\":10000,\"keys\":7,\"output_records\":7,\"seconds\":"), json);
        assertTrue(json.endsWith(",\"parallelism\":1,\"checkpoints\":0,\"restarts\":0,\"recovery_ms\":0,"
                + "\"restored_checkpoint\":null,\"fallbacks\":[]}"), json);
        assertTrue(number(json, "seconds") > 0 && number(json, "records_per_s") > 0, json);
    }

    @Test
    void noArgumentsPrintsUsage() {
        assertEquals(2, run());
        assertTrue(err().startsWith("Usage: riffle [-hV] [COMMAND]"), err());
        assertEquals("", out());
    }

    @Test
    void anUnknownJobOrABadNumberIsAUsageError() {
        assertEquals(2, run("run", "word-count"));
        assertEquals("unknown job 'word-count'; jobs: columnar-demo, group-sum, join, keyed-sum, seed-batch, seed-stream, window-sum, wordcount\n",
                err());
        err.reset();
        assertEquals(2, run("run", "columnar-demo", "--keys", "0"));
        assertEquals("--keys must be at least 1: 0\n", err());
        err.reset();
        assertEquals(2, run("run", "columnar-demo", "--output", "out"));
        assertEquals("columnar-demo writes no files; --output is for the engine jobs\n", err());
        err.reset();
        assertEquals(2, run("run", "columnar-demo", "--records", "many"));
        assertEquals("riffle run: invalid value for option '--records': 'many' is not a long (see riffle run --help)\n",
                err());
    }

    /**
     * Exit code 2 is returned before the job is called (a job that ran prints its JSON line): a parallelism
     * of 1000 used to build its million channels, 33 s and 3 GB, before the range check failed.
     */
    @Test
    void aParallelismOutsideOneToTheMaxParallelismIsRefusedBeforeTheJobIsBuilt() {
        for (String p : List.of("1000", "4000", "129", "0", "-1")) {
            out.reset();
            err.reset();
            assertEquals(2, run("run", "keyed-sum", "--parallelism", p), p);
            assertEquals("--parallelism must be between 1 and 128 (the max parallelism): " + p + "\n", err());
            assertEquals("", out());
        }
    }

    @Test
    void everyOtherSizeIsCheckedBeforeTheJobIsBuilt() {
        assertEquals(2, run("run", "keyed-sum", "--batch-size", "2000000"));
        assertEquals("--batch-size must be between 1 and 1048576: 2000000\n", err());
        err.reset();
        assertEquals(2, run("run", "wordcount", "--keys", "2000000000"));
        assertEquals("--keys must be between 1 and 67108864 for wordcount's generated text (its vocabulary's tables"
                + " take 16 bytes a word): 2000000000\n", err());
        err.reset();
        assertEquals(2, run("run", "keyed-sum", "--checkpoint-interval", "9223372036854775807"));
        assertEquals("--checkpoint-interval must be between 0 (only on demand) and 31536000000 (a year):"
                + " 9223372036854775807\n", err());
        err.reset();
        assertEquals(2, run("checkpoint", "somewhere", "--timeout", "9223372036854775807"));
        assertEquals("--timeout must be between 1 and 86400 seconds (a day): 9223372036854775807\n", err());
        assertEquals("", out());
    }

    @Test
    void helpPrintsTheUsageWithItsDescriptionAndExitsZero() {
        assertEquals(0, run("run", "--help"));
        assertTrue(out().startsWith("Usage: riffle run [-h] [--allow-duplicates-on-fallback] [--batch-size=B]"), out());
        assertTrue(out().contains("\nRuns a built-in job in this process; prints its results and a JSON summary.\n"),
                out());
        assertEquals("", err());
        out.reset();
        assertEquals(0, run("checkpoint", "-h"));
        assertTrue(out().startsWith("Usage: riffle checkpoint [-h] [--savepoint] [--timeout=S] DIR\n"), out());
        assertEquals("", err());
    }

    @Test
    void aWrongArgumentIsOneLineWithAHint() {
        assertEquals(2, run("run", "keyed-sum", "--foo"));
        assertEquals("riffle run: unknown option '--foo' (see riffle run --help)\n", err());
        assertEquals("", out());
        err.reset();
        assertEquals(2, run("run"));
        assertEquals("riffle run: missing required parameter: 'JOB' (see riffle run --help)\n", err());
        err.reset();
        assertEquals(2, run("run", "keyed-sum", "extra"));
        assertEquals("riffle run: unexpected argument 'extra' (see riffle run --help)\n", err());
        err.reset();
        assertEquals(2, run("rnu", "keyed-sum"));
        assertEquals("riffle: unknown command 'rnu' (see riffle --help)\n", err());
    }

    @Test
    void aFailedJobIsOneLineWithoutJavaClassNames(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("latin1.txt");
        Files.write(text, new byte[] {'o', 'n', 'e', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        assertEquals(1, run("run", "wordcount", "--input", text.toString()));
        assertEquals("riffle: job 'wordcount' failed: operator 'text(latin1.txt)' (subtask 1 of 1) failed: " + text
                + ":2: not valid UTF-8 (byte 0xE9 at column 4, byte offset 7)\n", err());
        err.reset();
        assertEquals(1, run("run", "wordcount", "--input", dir.resolve("missing.txt").toString()));
        assertEquals("riffle: text input " + dir.resolve("missing.txt") + " does not exist or is not a file\n", err());
    }

    /** Only an error the CLI did not expect says it is internal, names its class and prints its stack on demand. */
    @Test
    void anInternalErrorNamesItsClassAndPrintsItsStackTraceWithRiffleDebug() {
        JOBS.put("crash", (options, out, err) -> {
            throw new NullPointerException("boom");
        });
        try {
            assertEquals(1, run("run", "crash"));
            assertEquals("riffle: internal error: java.lang.NullPointerException: boom (RIFFLE_DEBUG=1 prints its"
                    + " stack trace)\n", err());
            err.reset();
            assertEquals(1, RiffleCli.execute(new String[] {"run", "crash"},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    true));
            assertTrue(err().startsWith("java.lang.NullPointerException: boom\n\tat "), err());
            assertTrue(err().endsWith("\nriffle: internal error: java.lang.NullPointerException: boom\n"), err());
        } finally {
            JOBS.remove("crash");
        }
    }

    @Test
    void onlyTheBatchJobsRefuseCheckpointsAndWindowSumTakesThem(@TempDir Path dir) throws IOException {
        assertEquals(2, run("run", "group-sum", "--checkpoint-dir", dir.resolve("ck").toString()));
        assertEquals("group-sum is a batch job: checkpoints are for the streaming jobs (keyed-sum, seed-stream,"
                + " window-sum); a batch job restarts from the start of its input\n", err());
        err.reset();
        assertEquals(2, run("run", "columnar-demo", "--from", dir.resolve("ck").toString()));
        assertEquals("columnar-demo takes no checkpoints: --checkpoint-dir and --from are for the streaming jobs"
                + " (keyed-sum, seed-stream, window-sum)\n", err());
        err.reset();
        // An injected failure, then a restart: the committed windows are exactly those of a run without one.
        Path results = dir.resolve("out");
        assertEquals(0, run("run", "window-sum", "--records", "1000", "--keys", "3", "--window-ms", "100",
                "--parallelism", "2", "--checkpoint-dir", dir.resolve("ck").toString(), "--checkpoint-interval", "0",
                "--output", results.toString(), "--fail-after", "500"), err());
        assertTrue(out().contains("\"restarts\":1,"), out());
        List<String> rows = new ArrayList<>();
        try (var parts = Files.list(results.resolve("window-sum"))) {
            for (Path part : parts.toList()) {
                List<String> lines = Files.readAllLines(part);
                assertEquals("key,window_start,window_end,value", lines.get(0), part.toString());
                rows.addAll(lines.subList(1, lines.size()));
            }
        }
        rows.sort(null);
        List<String> expected = new ArrayList<>();
        for (long start = 0; start < 1000; start += 100) {
            for (long key = 0; key < 3; key++) {
                long sum = 0;
                for (long i = start; i < start + 100; i++) {
                    sum += i % 3 == key ? i : 0;
                }
                expected.add(key + "," + Instant.ofEpochMilli(start) + "," + Instant.ofEpochMilli(start + 100) + ","
                        + sum);
            }
        }
        expected.sort(null);
        assertEquals(expected, rows);
    }

    @Test
    void seedJobsPrintExactlyTheSeedOutput() {
        assertEquals(0, run("run", "seed-batch", "--parallelism", "1"));
        assertTrue(out().startsWith("(apple,9)\n(banana,6)\n{\"job\":\"seed-batch\","), out());
        out.reset();
        assertEquals(0, run("run", "seed-stream", "--parallelism", "1"));
        assertTrue(out().startsWith("(apple,1)\n(banana,2)\n(apple,4)\n(banana,6)\n(apple,9)\n{\"job\":\"seed-stream\","),
                out());
    }

    @Test
    void workloadJobsReportEveryRecordAndExactSums() {
        assertEquals(0, run("run", "keyed-sum", "--records", "100000", "--keys", "100", "--parallelism", "2"));
        String json = out().trim();
        assertTrue(json.startsWith("{\"job\":\"keyed-sum\",\"records\":100000,\"keys\":100,\"output_records\":100000,"),
                json);
        assertTrue(json.endsWith("\"parallelism\":2,\"checkpoints\":0,\"restarts\":0,\"recovery_ms\":0,"
                + "\"restored_checkpoint\":null,\"fallbacks\":[]}"), json);
        out.reset();
        assertEquals(0, run("run", "group-sum", "--records", "1000", "--keys", "3", "--parallelism", "2"));
        String[] lines = out().split("\n");
        assertEquals("(0,166833)", lines[0]);
        assertEquals("(1,166167)", lines[1]);
        assertEquals("(2,166500)", lines[2]);
        assertTrue(lines[3].startsWith("{\"job\":\"group-sum\",\"records\":1000,\"keys\":3,\"output_records\":3,"),
                lines[3]);
    }

    @Test
    void joinPrintsExactSumsPerCustomer() {
        assertEquals(0, run("run", "join", "--records", "1000", "--keys", "3", "--parallelism", "2"));
        String[] lines = out().split("\n");
        assertEquals("(0,166833)", lines[0]);
        assertEquals("(1,166167)", lines[1]);
        assertEquals("(2,166500)", lines[2]);
        assertTrue(lines[3].startsWith("{\"job\":\"join\",\"records\":1000,\"keys\":3,\"output_records\":3,"),
                lines[3]);
    }

    @Test
    void windowSumPrintsTheFirstWindowsExactSums() {
        assertEquals(0, run("run", "window-sum", "--records", "1000", "--keys", "3", "--window-ms", "100",
                "--parallelism", "2"));
        String[] lines = out().split("\n");
        assertEquals("(0,1970-01-01T00:00:00Z,1970-01-01T00:00:00.100Z,1683)", lines[0]);
        assertEquals("(1,1970-01-01T00:00:00Z,1970-01-01T00:00:00.100Z,1617)", lines[1]);
        assertEquals("(2,1970-01-01T00:00:00Z,1970-01-01T00:00:00.100Z,1650)", lines[2]);
        assertTrue(lines[3].startsWith("{\"job\":\"window-sum\",\"records\":1000,\"keys\":3,\"output_records\":30,"),
                lines[3]);
        out.reset();
        // Sliding 100 ms windows every 50 ms: 21 windows hold records (the first starts at -50 ms).
        assertEquals(0, run("run", "window-sum", "--records", "1000", "--keys", "3", "--window-ms", "100",
                "--slide-ms", "50", "--parallelism", "1"));
        assertTrue(out().contains("\"output_records\":63,"), out());
        assertEquals(2, run("run", "window-sum", "--window-ms", "100", "--slide-ms", "200"));
        assertEquals("--slide-ms must be between 1 and --window-ms (100), or 0 for tumbling windows: 200\n", err());
    }

    /** Each key's records are 3 ms apart: a gap of 4 ms makes one session per key, a gap of 3 one per record. */
    @Test
    void windowSumWithSessionGaps() {
        assertEquals(0, run("run", "window-sum", "--records", "1000", "--keys", "3", "--session-gap-ms", "4",
                "--parallelism", "2"));
        String[] lines = out().split("\n");
        assertEquals("(0,1970-01-01T00:00:00Z,1970-01-01T00:00:01.003Z,166833)", lines[0]);
        assertEquals("(1,1970-01-01T00:00:00.001Z,1970-01-01T00:00:01.001Z,166167)", lines[1]);
        assertEquals("(2,1970-01-01T00:00:00.002Z,1970-01-01T00:00:01.002Z,166500)", lines[2]);
        assertTrue(lines[3].startsWith("{\"job\":\"window-sum\",\"records\":1000,\"keys\":3,\"output_records\":3,"),
                lines[3]);
        out.reset();
        // A key's records lie 3 ms apart: with a gap of 3 ms their windows touch and make one session (as in
        // Flink), with 2 ms each record is a session of its own.
        assertEquals(0, run("run", "window-sum", "--records", "1000", "--keys", "3", "--session-gap-ms", "3"));
        assertTrue(out().startsWith("(0,1970-01-01T00:00:00Z,1970-01-01T00:00:01.002Z,166833)\n"), out());
        assertTrue(out().contains("\"output_records\":3,"), out());
        out.reset();
        assertEquals(0, run("run", "window-sum", "--records", "1000", "--keys", "3", "--session-gap-ms", "2"));
        assertTrue(out().contains("\"output_records\":1000,"), out());
        assertEquals(2, run("run", "window-sum", "--session-gap-ms", "3", "--slide-ms", "2"));
        assertEquals("--session-gap-ms and --slide-ms do not go together: sessions have no slide\n", err());
    }

    @Test
    void wordcountCountsTheWordsOfAFile(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "To be, or not to be:\nthat is the question.\n\nBe it so!\n");
        assertEquals(0, run("run", "wordcount", "--input", text.toString(), "--parallelism", "2"));
        String[] lines = out().split("\n");
        assertEquals("(be,3)", lines[0]);
        assertEquals("(to,2)", lines[1]);
        assertEquals("(is,1)", lines[2]);
        assertTrue(lines[lines.length - 1].startsWith("{\"job\":\"wordcount\",\"records\":4,\"keys\":10,"), out());
        out.reset();
        assertEquals(1, run("run", "wordcount", "--input", dir.resolve("missing.txt").toString()));
        assertTrue(err().contains("text input " + dir.resolve("missing.txt") + " does not exist or is not a file"), err());
    }

    @Test
    void outputWritesTheResultsAsCsvIntoTheDirectory(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("results");
        assertEquals(0, run("run", "group-sum", "--records", "1000", "--keys", "3", "--parallelism", "2",
                "--output", out.toString()));
        List<String> lines = Files.readAllLines(out.resolve("group-sum.csv"));
        assertEquals("key,value", lines.get(0));
        assertEquals(List.of("0,166833", "1,166167", "2,166500"), sortedTail(lines));
        assertEquals(0, run("run", "seed-stream", "--parallelism", "1", "--output", out.toString()));
        assertEquals(List.of("f0,f1", "apple,1", "banana,2", "apple,4", "banana,6", "apple,9"),
                Files.readAllLines(out.resolve("seed-stream.csv")));

        Path file = dir.resolve("plain.txt");
        Files.writeString(file, "x");
        err.reset();
        assertEquals(2, run("run", "seed-batch", "--output", file.toString()));
        assertEquals("--output must be a directory, but " + file + " is a file\n", err());
        err.reset();
        assertEquals(2, run("run", "seed-batch", "--output", file.resolve("results").toString()));
        assertEquals("--output: cannot create the directory: " + file.resolve("results") + ": Not a directory\n",
                err());
    }

    private static List<String> sortedTail(List<String> lines) {
        List<String> tail = new ArrayList<>(lines.subList(1, lines.size()));
        tail.sort(null);
        return tail;
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([0-9.]+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
