package io.riffle.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;


/** Signals once {@code records} records have reached the operators named with {@code prefix}; the job goes on. */
final class StopAfter implements FailureInjector {
    final CountDownLatch reached = new CountDownLatch(1);
    final long records;
    private final String prefix;
    private final AtomicLong seen = new AtomicLong();

    StopAfter(String prefix, long records) {
        this.prefix = prefix;
        this.records = records;
    }

    @Override
    public void beforeBatch(String operator, int subtask, int rows) {
        if (operator.startsWith(prefix) && seen.addAndGet(rows) >= records) {
            reached.countDown();
        }
    }

    /** Waits until the records were reached; a job that ended first (it failed) throws its cause. */
    void await(JobHandle job) throws InterruptedException {
        while (!reached.await(10, TimeUnit.MILLISECONDS)) {
            if (job.isDone()) {
                job.await();
                throw new AssertionError("the job ended before reaching " + records + " records");
            }
        }
    }
}
