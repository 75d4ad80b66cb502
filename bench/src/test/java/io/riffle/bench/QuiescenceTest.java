package io.riffle.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The wait for a quiet process, on a clock the test drives: no real time passes. */
class QuiescenceTest {
    /** A process that uses {@code busy[i]} cores in window i (the last value from then on). */
    private static final class Script implements Quiescence.Clock {
        private final double[] busy;
        private long wall;
        private long cpu;
        private int window;

        Script(double... busy) {
            this.busy = busy;
        }

        @Override
        public long cpuNanos() {
            return cpu;
        }

        @Override
        public long wallNanos() {
            return wall;
        }

        @Override
        public void pause(long nanos) {
            cpu += (long) (busy[Math.min(window, busy.length - 1)] * nanos);
            wall += nanos;
            window++;
        }
    }

    @Test
    void aQuietProcessWaitsOneWindow() throws InterruptedException {
        assertEquals(Quiescence.WINDOW_NANOS, Quiescence.await(new Script(0.02)));
    }

    @Test
    void waitsUntilTheFirstWindowUnderATenthOfACore() throws InterruptedException {
        assertEquals(4 * Quiescence.WINDOW_NANOS, Quiescence.await(new Script(2.0, 1.0, 0.5, 0.05)));
        // A tenth of a core exactly is not quiet yet.
        assertEquals(3 * Quiescence.WINDOW_NANOS, Quiescence.await(new Script(0.1, 0.1, 0.09)));
    }

    @Test
    void givesUpAfterTheLimitOnAProcessThatNeverSettles() throws InterruptedException {
        assertEquals(Quiescence.LIMIT_NANOS, Quiescence.await(new Script(1.0)));
    }
}
