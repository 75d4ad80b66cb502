package io.riffle.engine.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClosingTest {
    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void theFirstFailureIsReturnedAndLaterOnesAreSuppressedByIt() {
        IOException first = new IOException("first");
        IllegalStateException second = new IllegalStateException("second");
        Throwable failure = Closing.close(() -> {
            throw first;
        }, null);
        assertSame(first, failure);
        assertSame(first, Closing.close(() -> {
            throw second;
        }, failure));
        assertArrayEquals(new Throwable[] {second}, first.getSuppressed());
        assertSame(first, Closing.close(() -> { }, first));
        assertNull(Closing.close(() -> { }, null));
    }

    @Test
    void anInterruptedCloseLeavesTheInterruptFlagSet() {
        InterruptedException interrupted = new InterruptedException("stopped while closing");
        assertFalse(Thread.currentThread().isInterrupted());
        assertSame(interrupted, Closing.close(() -> {
            throw interrupted;
        }, null));
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for whoever interrupted");
    }
}
