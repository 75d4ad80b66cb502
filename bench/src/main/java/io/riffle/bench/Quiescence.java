package io.riffle.bench;

import java.lang.management.ManagementFactory;

/**
 * Before a measured run, waits until this process is quiet: what the previous run left running (a system's
 * threads still shutting down, the JIT still compiling the code it ran, the collector) would otherwise share
 * the cores the next run is timed on, and would weigh on whichever system happens to come next. Quiet: the
 * process used under a tenth of a core over a 100 ms window. Gives up after 10 s, so a process that never
 * settles is measured as it is.
 */
final class Quiescence {
    /** The process's CPU time and the wall clock, and a way to let time pass; a test gives its own. */
    interface Clock {
        long cpuNanos();

        long wallNanos();

        void pause(long nanos) throws InterruptedException;
    }

    static final long WINDOW_NANOS = 100_000_000L;
    static final double QUIET_CORES = 0.1;
    static final long LIMIT_NANOS = 10_000_000_000L;

    private Quiescence() {
    }

    /** Waits for quiet on this JVM's clocks; returns the nanoseconds waited. */
    static long await() throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return await(new Clock() {
            @Override
            public long cpuNanos() {
                return os.getProcessCpuTime();
            }

            @Override
            public long wallNanos() {
                return System.nanoTime();
            }

            @Override
            public void pause(long nanos) throws InterruptedException {
                Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
            }
        });
    }

    /**
     * Waits window by window until one in which the process used under {@link #QUIET_CORES} of a core, or
     * until {@link #LIMIT_NANOS} have passed; returns the nanoseconds waited.
     */
    static long await(Clock clock) throws InterruptedException {
        long start = clock.wallNanos();
        while (true) {
            long cpu = clock.cpuNanos();
            long wall = clock.wallNanos();
            clock.pause(WINDOW_NANOS);
            long used = clock.cpuNanos() - cpu;
            long now = clock.wallNanos();
            if (used < QUIET_CORES * (now - wall) || now - start >= LIMIT_NANOS) {
                return now - start;
            }
        }
    }
}
