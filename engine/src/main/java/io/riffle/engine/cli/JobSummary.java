package io.riffle.engine.cli;

/** What a run reports on its last stdout line, as JSON. */
record JobSummary(String job, long records, int keys, long groups, double seconds, int parallelism) {

    String toJson() {
        double rate = seconds > 0 ? records / seconds : 0;
        return String.format(java.util.Locale.ROOT,
                "{\"job\":\"%s\",\"records\":%d,\"keys\":%d,\"groups\":%d,\"seconds\":%.6f,\"records_per_s\":%.1f,"
                        + "\"parallelism\":%d}", job, records, keys, groups, seconds, rate, parallelism);
    }
}
