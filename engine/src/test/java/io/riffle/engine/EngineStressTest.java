package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import io.riffle.columnar.batch.RecordBatch;
import io.riffle.scheduler.IdleMode;
import org.junit.jupiter.api.Test;

/**
 * Many small jobs with random parallelism, batch sizes, ring sizes and idle modes: the shuffle's
 * back-pressure and end-of-input paths run under ever different timing. Every record must arrive exactly
 * once with exact sums; an injected failure must fail the job cleanly, leaving no worker thread.
 */
class EngineStressTest {
    @Test
    void randomJobsLoseAndDuplicateNothing() {
        Random r = new Random(42);
        for (int iteration = 0; iteration < 60; iteration++) {
            int p = 1 + r.nextInt(4);
            long n = r.nextInt(50_000);
            int keys = 1 + r.nextInt(500);
            Environment env = Environment.streaming().setParallelism(p).setWorkers(1 + r.nextInt(3))
                    .setBatchSize(1 + r.nextInt(700)).setChannelCapacity(2 << r.nextInt(4))
                    .setIdleMode(r.nextBoolean() ? IdleMode.BACK_OFF : IdleMode.YIELDING);
            Map<Long, Long> lastSum = new HashMap<>();
            AtomicLong rows = new AtomicLong();
            env.generate(n, keys).keyBy(0).sum(1).setParallelism(1 + r.nextInt(4)).forEachBatch(b -> {
                synchronized (lastSum) {
                    for (int i = 0; i < b.rowCount(); i++) {
                        lastSum.merge(b.int64(0).get(i), b.int64(1).get(i), Math::max);
                    }
                }
                rows.addAndGet(b.rowCount());
            });
            env.execute("stress-" + iteration);
            String where = "iteration " + iteration + ": p=" + p + " n=" + n + " keys=" + keys;
            assertEquals(n, rows.get(), where);
            assertEquals(Math.min(n, keys), lastSum.size(), where);
            for (Map.Entry<Long, Long> e : lastSum.entrySet()) {
                long sum = 0;
                for (long i = e.getKey(); i < n; i += keys) {
                    sum += i;
                }
                assertEquals(sum, e.getValue(), where + " key " + e.getKey());
            }
        }
    }

    @Test
    void failuresAtRandomPointsEndTheJobCleanly() {
        Random r = new Random(7);
        for (int iteration = 0; iteration < 30; iteration++) {
            int p = 1 + r.nextInt(4);
            long failAt = r.nextInt(20_000);
            Environment env = Environment.batch().setParallelism(p).setBatchSize(1 + r.nextInt(500))
                    .setChannelCapacity(2 << r.nextInt(3));
            env.generate(20_000, 100).filter(rec -> {
                if (rec.getLong(1) == failAt) {
                    throw new ArithmeticException("bad record " + failAt);
                }
                return true;
            }).groupBy(0).sum(1).forEachBatch((RecordBatch b) -> { });
            JobFailedException e = assertThrows(JobFailedException.class, () -> env.execute("failing"));
            assertEquals("filter", e.operator());
            assertEquals("bad record " + failAt, e.getCause().getMessage());
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            assertTrue(!t.getName().startsWith("riffle-"), "thread left behind: " + t.getName());
        }
    }
}
