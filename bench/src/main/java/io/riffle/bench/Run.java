package io.riffle.bench;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One timed run of a workload on a system: its figures and its result checksum, printed as a JSON line. */
public record Run(String system, Workload workload, long records, long keys, int parallelism, double seconds,
                  long rows, long checksum) {
    private static final Pattern JSON = Pattern.compile("\\{\"system\":\"([a-z0-9_-]+)\",\"workload\":\"(W\\d)\","
            + "\"records\":(\\d+),\"keys\":(\\d+),\"parallelism\":(\\d+),\"seconds\":([0-9.]+),\"records_per_s\":[0-9.]+,"
            + "\"rows\":(\\d+),\"checksum\":\"([0-9a-f]{16})\"}");

    public double recordsPerSecond() {
        return records / seconds;
    }

    public String toJson() {
        return String.format(Locale.ROOT, "{\"system\":\"%s\",\"workload\":\"%s\",\"records\":%d,\"keys\":%d,"
                        + "\"parallelism\":%d,\"seconds\":%.6f,\"records_per_s\":%.1f,\"rows\":%d,\"checksum\":\"%016x\"}",
                system, workload, records, keys, parallelism, seconds, recordsPerSecond(), rows, checksum);
    }

    /** Reads a line {@link #toJson()} wrote. */
    public static Run fromJson(String line) {
        Matcher m = JSON.matcher(line.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a run's JSON line: " + line);
        }
        return new Run(m.group(1), Workload.valueOf(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                Integer.parseInt(m.group(5)), Double.parseDouble(m.group(6)), Long.parseLong(m.group(7)),
                Long.parseUnsignedLong(m.group(8), 16));
    }
}
