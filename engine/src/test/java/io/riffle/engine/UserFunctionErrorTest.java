package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Errors, not exceptions, thrown by a user function: the host JVM never dies of one. A stack overflow or an
 * assertion fails the job like an exception, naming the operator; an error of the JVM itself (out of memory)
 * fails the job without a restart and reaches the host as it is, once the job has freed everything.
 */
class UserFunctionErrorTest {
    @AfterEach
    void noWorkerThreadOutlivesItsJob() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("riffle-"), "thread left behind: " + t.getName());
        }
    }

    private static long recurse(long n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void aStackOverflowInAUserFunctionFailsTheJobNamingTheOperator() {
        Environment env = Environment.streaming().setParallelism(1);
        List<Tuple> sink = new ArrayList<>();
        env.generate(10_000, 10).map(r -> r.getLong(1) == 5_000 ? Tuple.of(r.getLong(0), recurse(0)) : r)
                .collect(sink);
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("recursing"));
        assertEquals("map", e.operator());
        assertInstanceOf(StackOverflowError.class, e.getCause());
        assertEquals("job 'recursing' failed: operator 'map' (subtask 1 of 1) failed: stack overflow (a function"
                + " that recurses without end?)", e.getMessage());
    }

    @Test
    void anAssertionErrorInAUserFunctionFailsTheJobNamingTheOperator() {
        Environment env = Environment.streaming().setParallelism(2);
        env.generate(10_000, 10).filter(r -> {
            if (r.getLong(1) == 5_000) {
                throw new AssertionError("five thousand is not expected");
            }
            return true;
        }).collect(new ArrayList<>());
        JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("asserting"));
        assertEquals("filter", e.operator());
        assertInstanceOf(AssertionError.class, e.getCause());
        assertTrue(e.getMessage().startsWith("job 'asserting' failed: operator 'filter' (subtask "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" of 2) failed: five thousand is not expected"), e.getMessage());
    }

    @Test
    void anOutOfMemoryErrorFailsTheJobWithoutARestartAndReachesTheHostAsItIs() {
        Environment env = Environment.streaming().setParallelism(1)
                .setRestartStrategy(RestartStrategy.fixedDelay(3, Duration.ZERO));
        AtomicInteger thrown = new AtomicInteger();
        env.generate(10_000, 10).map(r -> {
            if (r.getLong(1) == 5_000) {
                thrown.incrementAndGet();
                throw new OutOfMemoryError("test: no heap left");
            }
            return r;
        }).collect(new ArrayList<>());
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> env.execute("exhausted"));
        assertEquals("test: no heap left", e.getMessage());
        assertEquals(1, thrown.get(), "no restart: restarting does not mend the JVM");
    }
}
