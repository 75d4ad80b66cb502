package io.riffle.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import io.riffle.scheduler.SchedulerTest.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a worker does with a tasklet's {@link Error}: a fatal one of the JVM fails the tasklet and then ends the
 * worker, reaching the host; one of user code (a stack overflow, a class that cannot be linked) fails only its
 * tasklet. A close interrupted while it waits for the workers leaves the interrupt flag set.
 */
@Timeout(60)
class WorkerFailureTest {

    /** A tasklet that throws {@code error} on its first call. */
    private static Tasklet throwing(String name, Error error) {
        return new Tasklet() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int doWork() {
                throw error;
            }
        };
    }

    /** Recurses until the stack overflows. */
    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void anOutOfMemoryErrorFailsItsTaskletThenEndsTheWorkerAndReachesTheHost() throws InterruptedException {
        ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();
        AtomicReference<Throwable> uncaught = new AtomicReference<>();
        OutOfMemoryError oom = new OutOfMemoryError("test");
        Scheduler scheduler = new Scheduler(SchedulerTest.config(1, IdleMode.BACK_OFF)
                .withFailureListener((name, cause) -> reports.add(name + ": " + cause.getMessage())));
        try {
            Thread worker = scheduler.worker(0).thread();
            worker.setUncaughtExceptionHandler((thread, e) -> uncaught.set(e));
            Counter other = new Counter("other", Long.MAX_VALUE);
            TaskletHandle running = scheduler.submit(other);
            TaskletHandle failing = scheduler.submit(throwing("allocating[1/1]", oom));

            assertSame(oom, assertThrows(CompletionException.class, () -> failing.done().join()).getCause());
            worker.join();
            assertSame(oom, uncaught.get(), "the error reaches the worker thread's uncaught-exception handler");
            assertEquals(List.of("allocating[1/1]: test"), new ArrayList<>(reports));
            assertThrows(CancellationException.class, () -> running.done().join());
            assertEquals(1, other.closes.get(), "the worker's other tasklet is closed");

            Counter late = new Counter("late", 10);
            TaskletHandle afterEnd = scheduler.submit(late);
            assertThrows(CancellationException.class, () -> afterEnd.done().join(),
                    "a tasklet given to a worker that ended is cancelled at once, not left waiting");
            assertEquals(1, late.closes.get());
        } finally {
            scheduler.close();
        }
    }

    @Test
    void aStackOverflowOrALinkageErrorFailsOnlyItsTasklet() {
        ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();
        try (Scheduler scheduler = new Scheduler(SchedulerTest.config(1, IdleMode.BACK_OFF)
                .withFailureListener((name, cause) -> reports.add(name + ": " + cause)))) {
            TaskletHandle deep = scheduler.submit(new Tasklet() {
                @Override
                public String name() {
                    return "recursive[1/1]";
                }

                @Override
                public int doWork() {
                    return recurse(0);
                }
            });
            TaskletHandle unlinked = scheduler.submit(throwing("unlinked[1/1]",
                    new NoClassDefFoundError("com/example/Missing")));

            assertTrue(assertThrows(CompletionException.class, () -> deep.done().join())
                    .getCause() instanceof StackOverflowError);
            assertTrue(assertThrows(CompletionException.class, () -> unlinked.done().join())
                    .getCause() instanceof NoClassDefFoundError);
            Counter after = new Counter("after", 1_000);
            scheduler.submit(after).done().join();
            assertEquals(1_000, after.value, "the worker goes on running tasklets");
            assertTrue(scheduler.worker(0).thread().isAlive());
            assertEquals(List.of("recursive[1/1]: java.lang.StackOverflowError",
                    "unlinked[1/1]: java.lang.NoClassDefFoundError: com/example/Missing"), new ArrayList<>(reports));
        }
    }

    @Test
    void aCloseInterruptedWhileWaitingForTheWorkersLeavesTheInterruptFlagSet() throws InterruptedException {
        Scheduler scheduler = new Scheduler(SchedulerTest.config(1, IdleMode.BACK_OFF));
        // The worker is held inside a tasklet until the close has been interrupted, so the close is still
        // waiting for it however the threads are scheduled.
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        scheduler.submit(new Tasklet() {
            @Override
            public String name() {
                return "holding[1/1]";
            }

            @Override
            public int doWork() {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return DONE;
            }
        });
        entered.await();
        Thread.currentThread().interrupt();
        try {
            assertEquals("interrupted while stopping the workers",
                    assertThrows(IllegalStateException.class, scheduler::close).getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
            release.countDown();
        }
        scheduler.worker(0).thread().join();
        assertFalse(scheduler.worker(0).thread().isAlive());
    }
}
