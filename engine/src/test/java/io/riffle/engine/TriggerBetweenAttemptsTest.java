package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint asked for while the job is between attempts (one failed, the next not started yet), or once
 * it has ended, fails at once saying so; the trigger itself never throws, and the job recovers as usual.
 */
@Timeout(60)
class TriggerBetweenAttemptsTest {
    private static final long RECORDS = 20_000;
    private static final long KEYS = 10;

    @TempDir
    Path dir;

    @Test
    void aCheckpointTriggeredWhileTheJobRestartsFailsSayingSo() throws Exception {
        CompletableFuture<JobHandle> handle = new CompletableFuture<>();
        /** What {@code triggerCheckpoint()} gave between the attempts: its future, or what it threw. */
        CompletableFuture<CompletableFuture<Long>> between = new CompletableFuture<>();
        FailOnce failure = new FailOnce("keyBy(", RECORDS / 2);
        FailureInjector injector = new FailureInjector() {
            @Override
            public void beforeBatch(String operator, int subtask, int rows) throws Exception {
                failure.beforeBatch(operator, subtask, rows);
            }

            @Override
            public void restarting(int attempt) {
                try {
                    between.complete(handle.join().triggerCheckpoint());
                } catch (RuntimeException e) {
                    between.completeExceptionally(e);
                }
            }
        };
        Environment env = Environment.streaming().setParallelism(1).enableCheckpointing(Duration.ZERO, dir)
                .setRestartStrategy(RestartStrategy.fixedDelay(1, Duration.ZERO)).injectFailures(injector);
        List<Tuple> out = new ArrayList<>();
        env.generate(RECORDS, KEYS).keyBy("key").sum("value").collect(out);
        JobHandle job = env.executeAsync("between");
        handle.complete(job);

        assertEquals(1, job.await().restarts());
        assertTrue(between.isDone(), "the job restarted without asking the injector");
        CompletableFuture<Long> checkpoint = between.get();
        assertTrue(checkpoint.isDone(), "the checkpoint asked for between attempts waits for nothing");
        ExecutionException e = assertThrows(ExecutionException.class, checkpoint::get);
        assertEquals("job 'between' is restarting after a failure: no checkpoint can be taken until restart 1 has"
                + " started", e.getCause().getMessage());
        assertArrayEquals(RunningSums.expected(RECORDS, KEYS, 0), RunningSums.of(out), "the job's output");
    }

    @Test
    void aCheckpointTriggeredOnceTheJobEndedFailsSayingSo() {
        Environment env = Environment.streaming().setParallelism(1).enableCheckpointing(Duration.ZERO, dir);
        env.generate(RECORDS, KEYS).keyBy("key").sum("value").collect(new ArrayList<>());
        JobHandle job = env.executeAsync("ended");
        job.await();
        CompletableFuture<Long> checkpoint = job.triggerCheckpoint();
        assertTrue(checkpoint.isDone(), "the checkpoint asked for after the end waits for nothing");
        ExecutionException e = assertThrows(ExecutionException.class, checkpoint::get);
        assertEquals("job 'ended' has ended: it takes no more checkpoints", e.getCause().getMessage());
    }
}
