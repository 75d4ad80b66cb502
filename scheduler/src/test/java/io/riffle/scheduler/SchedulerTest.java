package io.riffle.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class SchedulerTest {

    /** Counts to {@code target}, doing {@code step} units per call; closes once. */
    static class Counter implements Tasklet {
        final String name;
        final long target;
        final AtomicInteger closes = new AtomicInteger();
        long value;

        Counter(String name, long target) {
            this.name = name;
            this.target = target;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int doWork() {
            if (value == target) {
                return DONE;
            }
            value++;
            return 1;
        }

        @Override
        public void onClose() {
            closes.incrementAndGet();
        }
    }

    static SchedulerConfig config(int workers, IdleMode mode) {
        return SchedulerConfig.defaults().withWorkers(workers).withIdleMode(mode)
                .withFailureListener((n, c) -> { }).withShutdownTimeout(Duration.ofSeconds(10));
    }

    @Test
    void runsEveryTaskletToCompletionInEveryIdleMode() {
        for (IdleMode mode : IdleMode.values()) {
            List<Counter> counters = new ArrayList<>();
            List<CompletableFuture<Void>> done = new ArrayList<>();
            try (Scheduler scheduler = new Scheduler(config(2, mode))) {
                for (int i = 0; i < 20; i++) {
                    Counter c = new Counter("counter-" + i, 1000 + i);
                    counters.add(c);
                    done.add(scheduler.submit(c).done());
                }
                CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).join();
            }
            for (int i = 0; i < 20; i++) {
                assertEquals(1000 + i, counters.get(i).value, mode + " counter " + i);
                assertEquals(1, counters.get(i).closes.get(), "onClose runs once");
            }
        }
    }

    @Test
    void spreadsTaskletsOverTheLeastLoadedWorkers() {
        try (Scheduler scheduler = new Scheduler(config(2, IdleMode.BACK_OFF))) {
            CountDownLatch release = new CountDownLatch(1);
            List<TaskletHandle> handles = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                handles.add(scheduler.submit(waitingFor(release, "w" + i)));
            }
            int onFirst = 0;
            for (TaskletHandle h : handles) {
                onFirst += h.worker() == 0 ? 1 : 0;
            }
            assertEquals(3, onFirst, "six tasklets, two workers: three each");
            release.countDown();
            for (TaskletHandle h : handles) {
                h.done().join();
            }
        }
    }

    @Test
    void reportsAFailureWithTheTaskletsNameAndCauseAndKeepsTheOthersRunning() {
        ConcurrentLinkedQueue<String> reports = new ConcurrentLinkedQueue<>();
        IllegalStateException boom = new IllegalStateException("boom at 500");
        SchedulerConfig cfg = config(1, IdleMode.BACK_OFF)
                .withFailureListener((name, cause) -> reports.add(name + ": " + cause.getMessage()));
        try (Scheduler scheduler = new Scheduler(cfg)) {
            Counter healthy = new Counter("healthy", 100_000);
            Counter failing = new Counter("sum[1/2]", 1_000_000) {
                @Override
                public int doWork() {
                    if (value == 500) {
                        throw boom;
                    }
                    return super.doWork();
                }
            };
            TaskletHandle bad = scheduler.submit(failing);
            TaskletHandle good = scheduler.submit(healthy);
            CompletionException e = assertThrows(CompletionException.class, () -> bad.done().join());
            assertSame(boom, e.getCause());
            good.done().join();
            assertEquals(100_000, healthy.value);
            assertEquals(1, failing.closes.get(), "a failed tasklet is closed");
            assertEquals(List.of("sum[1/2]: boom at 500"), new ArrayList<>(reports));
        }
    }

    @Test
    void cancelStopsATaskletAndClosesIt() {
        try (Scheduler scheduler = new Scheduler(config(2, IdleMode.YIELDING))) {
            Counter endless = new Counter("endless", Long.MAX_VALUE);
            TaskletHandle h = scheduler.submit(endless);
            h.cancel();
            CancellationException e = assertThrows(CancellationException.class, () -> h.done().join());
            assertEquals("tasklet 'endless' was cancelled", e.getMessage());
            assertTrue(h.done().isCancelled());
            assertEquals(1, endless.closes.get());
            assertEquals(0, scheduler.worker(h.worker()).taskletCount());
        }
    }

    @Test
    void addsAndCancelsTaskletsWhileWorkersRun() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Scheduler scheduler = new Scheduler(config(2, IdleMode.BACK_OFF))) {
            for (int round = 0; round < 200; round++) {
                List<TaskletHandle> endless = new ArrayList<>();
                List<Counter> finite = new ArrayList<>();
                List<TaskletHandle> finiteHandles = new ArrayList<>();
                int n = 1 + random.nextInt(8);
                for (int i = 0; i < n; i++) {
                    endless.add(scheduler.submit(new Counter("e" + i, Long.MAX_VALUE), random.nextInt(2)));
                    Counter c = new Counter("f" + i, random.nextInt(2000));
                    finite.add(c);
                    finiteHandles.add(scheduler.submit(c));
                }
                for (TaskletHandle h : endless) {
                    h.cancel();
                }
                for (int i = 0; i < n; i++) {
                    finiteHandles.get(i).done().join();
                    assertEquals(finite.get(i).target, finite.get(i).value, "seed " + seed);
                    assertThrows(CancellationException.class, endless.get(i).done()::join, "seed " + seed);
                }
            }
            assertEquals(0, scheduler.worker(0).taskletCount() + scheduler.worker(1).taskletCount(), "seed " + seed);
        }
    }

    @Test
    void closeStopsEveryWorkerAndCancelsWhatStillRuns() {
        Scheduler scheduler = new Scheduler(config(2, IdleMode.BUSY_SPIN));
        Counter a = new Counter("a", Long.MAX_VALUE);
        Counter b = new Counter("b", Long.MAX_VALUE);
        TaskletHandle ha = scheduler.submit(a);
        TaskletHandle hb = scheduler.submit(b);
        scheduler.close();
        for (int i = 0; i < 2; i++) {
            assertFalse(scheduler.worker(i).thread().isAlive(), "worker " + i + " thread ended");
        }
        assertTrue(ha.done().isCancelled());
        assertTrue(hb.done().isCancelled());
        assertEquals(1, a.closes.get());
        assertEquals(1, b.closes.get());
        assertEquals("scheduler is closed; cannot run tasklet 'late'",
                assertThrows(IllegalStateException.class, () -> scheduler.submit(new Counter("late", 1))).getMessage());
    }

    @Test
    void closeIsBoundedAndNamesATaskletThatBlocks() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Scheduler scheduler = new Scheduler(config(1, IdleMode.BACK_OFF).withShutdownTimeout(Duration.ofMillis(200)));
        scheduler.submit(new Tasklet() {
            @Override
            public String name() {
                return "blocker";
            }

            @Override
            public int doWork() throws InterruptedException {
                entered.countDown();
                release.await();
                return DONE;
            }
        });
        entered.await();
        IllegalStateException e = assertThrows(IllegalStateException.class, scheduler::close);
        assertEquals("workers did not stop within 200 ms (a tasklet must never block): riffle-worker-0 is still in "
                + "tasklet 'blocker'", e.getMessage());
        release.countDown();
        scheduler.worker(0).thread().join();
    }

    @Test
    void runsUnpinnedWhenPinningIsImpossible() {
        try (Scheduler scheduler = new Scheduler(config(1, IdleMode.BACK_OFF).withPinCpus(4096))) {
            Counter c = new Counter("c", 10);
            scheduler.submit(c).done().join();
            assertEquals(10, c.value);
            assertTrue(scheduler.worker(0).pinning().startsWith("not pinned: "), scheduler.worker(0).pinning());
        }
    }

    @Test
    void rejectsBadConfigurations() {
        assertEquals("workers must be at least 1: 0", assertThrows(IllegalArgumentException.class,
                () -> SchedulerConfig.defaults().withWorkers(0)).getMessage());
        assertEquals("3 workers but only 1 cpus to pin them to", assertThrows(IllegalArgumentException.class,
                () -> SchedulerConfig.defaults().withWorkers(3).withPinCpus(0)).getMessage());
        try (Scheduler scheduler = new Scheduler(config(1, IdleMode.BACK_OFF))) {
            assertEquals("worker 1 does not exist; there are 1", assertThrows(IllegalArgumentException.class,
                    () -> scheduler.submit(new Counter("x", 1), 1)).getMessage());
        }
    }

    static Tasklet waitingFor(CountDownLatch latch, String name) {
        return new Tasklet() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public int doWork() {
                return latch.getCount() == 0 ? DONE : 0;
            }
        };
    }
}
