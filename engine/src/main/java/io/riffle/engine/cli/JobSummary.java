package io.riffle.engine.cli;

import java.util.Locale;

/** What a run reports on its last stdout line, as JSON; {@code outputRecords} is what reached the sinks. */
record JobSummary(String job, long records, int keys, long outputRecords, double seconds, int parallelism) {

    String toJson() {
        double rate = seconds > 0 ? records / seconds : 0;
        return String.format(Locale.ROOT,
                "{\"job\":\"%s\",\"records\":%d,\"keys\":%d,\"output_records\":%d,\"seconds\":%.6f,"
                        + "\"records_per_s\":%.1f,\"parallelism\":%d}",
                job, records, keys, outputRecords, seconds, rate, parallelism);
    }
}
