package io.riffle.engine.cli;

import java.io.PrintStream;

/** Prints records done and records/s to stderr at most once a second, checked once per batch. */
final class Progress {
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private final PrintStream err;
    private final long start = System.nanoTime();
    private long lastPrint = start;

    Progress(PrintStream err) {
        this.err = err;
    }

    void update(long records) {
        long now = System.nanoTime();
        if (now - lastPrint >= INTERVAL_NANOS) {
            lastPrint = now;
            double seconds = (now - start) / 1e9;
            err.printf(java.util.Locale.ROOT, "%,d records, %,.0f records/s, %.1f s%n", records, records / seconds, seconds);
        }
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }
}
