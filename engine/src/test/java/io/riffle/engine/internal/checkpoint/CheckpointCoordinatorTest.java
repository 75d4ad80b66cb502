package io.riffle.engine.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

import io.riffle.engine.CheckpointFailureReason;
import io.riffle.engine.CheckpointFailures;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator of one attempt with one subtask, a source the test plays: each failure it can see is made to
 * happen (a time-out, a directory or manifest that cannot be written, a decline), counted with its reason, and
 * fails the job once more fail in a row than it tolerates.
 */
@Timeout(60)
class CheckpointCoordinatorTest {
    @TempDir
    Path dir;

    private final CheckpointStats stats = new CheckpointStats();
    private final AtomicReference<RuntimeException> jobFailure = new AtomicReference<>();

    /** A coordinator of one subtask, a source that does {@code onBarrier}, failing the job after one failure. */
    private CheckpointCoordinator coordinator(Duration timeout, LongConsumer onBarrier) {
        CheckpointCoordinator coordinator = new CheckpointCoordinator("job", new CheckpointConfig(
                new CheckpointStorage(dir, 1), Duration.ZERO, timeout, 0), new CheckpointIds(1), "", 128, 1,
                CheckpointParticipants.NONE, stats, jobFailure::set);
        coordinator.addSource(0, onBarrier);
        return coordinator;
    }

    /** Checkpoint 1 fails, aborted with {@code message}. */
    private static void assertAborted(String message, CompletableFuture<Long> checkpoint) {
        assertEquals("checkpoint 1 aborted: " + message,
                assertThrows(ExecutionException.class, checkpoint::get).getCause().getMessage());
    }

    /** Checkpoint 1 failed for {@code reason} with {@code message}, and the job with it (it tolerates none). */
    private void assertFailedOnce(CheckpointFailureReason reason, String message) {
        assertEquals(new CheckpointFailures(1, Map.of(reason, 1L), new CheckpointFailures.Last(1, reason, message)),
                stats.failures());
        assertEquals("1 consecutive checkpoints failed (" + reason.words() + "), the last (checkpoint 1): " + message,
                jobFailure.get().getMessage());
    }

    @Test
    void aCheckpointNotAcknowledgedInTimeFailsAsTimedOut() {
        try (CheckpointCoordinator coordinator = coordinator(Duration.ofMillis(1), id -> { })) {
            assertAborted("timed out after 1 ms", coordinator.trigger(false));
        }
        assertFailedOnce(CheckpointFailureReason.TIMED_OUT, "timed out after 1 ms");
        assertFalse(Files.exists(dir.resolve("chk-1")));
    }

    @Test
    void aCheckpointDeclinedByASubtaskFailsWithItsReason() {
        String message = "sum [1/1] could not write its state: out of memory (test)";
        CheckpointCoordinator[] self = new CheckpointCoordinator[1];
        try (CheckpointCoordinator coordinator = coordinator(Duration.ofMinutes(1),
                id -> self[0].decline(id, CheckpointFailureReason.DECLINED, message))) {
            self[0] = coordinator;
            assertAborted(message, coordinator.trigger(false));
        }
        assertFailedOnce(CheckpointFailureReason.DECLINED, message);
    }

    @Test
    void aCheckpointWhoseDirectoryCannotBeCreatedFailsAsAnIoErrorNamingIt() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("chk-1"), "a file where the checkpoint's directory goes");
        try (CheckpointCoordinator coordinator = coordinator(Duration.ofMinutes(1), id -> { })) {
            ExecutionException e = assertThrows(ExecutionException.class, coordinator.trigger(false)::get);
            assertEquals("checkpoint 1 could not start: " + dir.resolve("chk-1") + ": a file of that name is in the way",
                    e.getCause().getMessage());
        }
        assertFailedOnce(CheckpointFailureReason.IO_ERROR,
                "could not start: " + dir.resolve("chk-1") + ": a file of that name is in the way");
    }

    @Test
    void aCheckpointWhoseManifestCannotBeWrittenFailsAsAnIoErrorNamingIt() {
        Path tmp = dir.resolve("chk-1").resolve(ManifestFormat.TEMP_FILE_NAME);
        CheckpointCoordinator[] self = new CheckpointCoordinator[1];
        try (CheckpointCoordinator coordinator = coordinator(Duration.ofMinutes(1), id -> {
            try {
                Files.createDirectories(tmp); // a directory where the manifest's temporary file goes
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            self[0].acknowledge(id, 0, List.of(), 0);
        })) {
            self[0] = coordinator;
            assertAborted("its manifest could not be written: " + tmp + ": Is a directory", coordinator.trigger(false));
        }
        assertFailedOnce(CheckpointFailureReason.IO_ERROR, "its manifest could not be written: " + tmp
                + ": Is a directory");
        assertFalse(Files.exists(dir.resolve("chk-1")));
    }

    @Test
    void anInterruptedCloseEndsTheCheckpointInFlightAndLeavesTheInterruptFlagSet() throws InterruptedException {
        CountDownLatch begun = new CountDownLatch(1);
        CheckpointCoordinator coordinator = coordinator(Duration.ofMinutes(1), id -> begun.countDown());
        CompletableFuture<Long> inFlight = coordinator.trigger(false);
        begun.await();
        Thread.currentThread().interrupt();
        try {
            coordinator.close();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is left set");
        } finally {
            Thread.interrupted();
        }
        assertTrue(inFlight.isDone(), "the checkpoint in flight was aborted before close returned");
        assertAborted("the job attempt ended", inFlight);
        assertEquals(CheckpointFailures.NONE, stats.failures(), "the attempt's end is no failure of a checkpoint");
    }

    /** Its attempt has ended and its timer with it: a trigger (a request that raced the end) fails, never throws. */
    @Test
    void aTriggerAfterTheAttemptEndedFailsSayingSo() {
        CheckpointCoordinator coordinator = new CheckpointCoordinator("ended", new CheckpointConfig(
                new CheckpointStorage(dir, 1), Duration.ZERO, Duration.ofMinutes(1),
                CheckpointConfig.UNLIMITED_FAILURES), new CheckpointIds(1), "", 128, 1, CheckpointParticipants.NONE,
                new CheckpointStats(), e -> { });
        coordinator.close();
        CompletableFuture<Long> checkpoint = coordinator.trigger(false);
        assertTrue(checkpoint.isDone(), "the trigger waits for nothing");
        ExecutionException e = assertThrows(ExecutionException.class, checkpoint::get);
        assertEquals("job 'ended' takes no more checkpoints: the attempt is ending", e.getCause().getMessage());
    }
}
