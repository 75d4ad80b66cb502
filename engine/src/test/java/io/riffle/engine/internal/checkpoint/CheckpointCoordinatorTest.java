package io.riffle.engine.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class CheckpointCoordinatorTest {
    @TempDir
    Path dir;

    /** Its attempt has ended and its timer with it: a trigger (a request that raced the end) fails, never throws. */
    @Test
    void aTriggerAfterTheAttemptEndedFailsSayingSo() {
        CheckpointCoordinator coordinator = new CheckpointCoordinator("ended", new CheckpointConfig(
                new CheckpointStorage(dir, 1), Duration.ZERO, Duration.ofMinutes(1),
                CheckpointConfig.UNLIMITED_FAILURES), new CheckpointIds(1), "", 128, 1, Map.of(),
                new CheckpointStats(), e -> { });
        coordinator.close();
        CompletableFuture<Long> checkpoint = coordinator.trigger(false);
        assertTrue(checkpoint.isDone(), "the trigger waits for nothing");
        ExecutionException e = assertThrows(ExecutionException.class, checkpoint::get);
        assertEquals("job 'ended' takes no more checkpoints: the attempt is ending", e.getCause().getMessage());
    }
}
