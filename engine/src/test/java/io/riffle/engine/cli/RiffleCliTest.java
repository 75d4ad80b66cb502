package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

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
        assertTrue(json.startsWith("{\"job\":\"columnar-demo\",\"records\":10000,\"keys\":7,\"groups\":7,\"seconds\":"), json);
        assertTrue(json.endsWith(",\"parallelism\":1}"), json);
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
        assertEquals("unknown job 'word-count'; jobs: columnar-demo\n", err());
        err.reset();
        assertEquals(2, run("run", "columnar-demo", "--keys", "0"));
        assertEquals("--keys must be at least 1: 0\n", err());
        err.reset();
        assertEquals(2, run("run", "columnar-demo", "--records", "many"));
        assertTrue(err().startsWith("Invalid value for option '--records': 'many' is not a long"), err());
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([0-9.]+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
