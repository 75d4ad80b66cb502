package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import io.riffle.engine.internal.connector.GeneratorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint written to a disk that is full: the checkpoint fails at once (declined, not timed out) with
 * a reason naming the file and the disk's error, nothing of it is left on the disk, no error escapes a
 * thread, and the job goes on to the exact output of a run without checkpoints; a job that tolerates fewer
 * failed checkpoints fails saying so. The disk is a real one that fills up: a tmpfs of 2 MiB, or, where this
 * process may not mount, a child JVM whose files may not grow beyond 2 MiB ({@link SmallDisk}).
 */
@Timeout(300)
class CheckpointDiskFullTest {
    /** 200,000 keys, two records each: every subtask's state file (100,000 groups) is beyond 2 MiB. */
    private static final long KEYS = 200_000;
    private static final long RECORDS = 2 * KEYS;
    /** Where each of the two readers is held: together they have read every key. */
    private static final long HELD_AT = KEYS / 2;
    private static final int DISK_MIB = 2;

    @TempDir
    Path dir;

    @Test
    void aCheckpointOnAFullDiskFailsAtOnceAndTheJobGoesOn() throws Exception {
        onSmallDisk("goesOn");
    }

    @Test
    void aJobFailsOnceMoreCheckpointsFailInARowThanItTolerates() throws Exception {
        onSmallDisk("tolerates");
    }

    /** Runs scenario {@code name} on a mounted tmpfs, or else in a child JVM under a file size limit. */
    private void onSmallDisk(String name) throws Exception {
        SmallDisk disk = SmallDisk.mount(dir.resolve("disk"), DISK_MIB);
        if (disk == null) {
            SmallDisk.Result r = SmallDisk.runUnderFileSizeLimit(DISK_MIB << 10, Child.class, name,
                    dir.resolve("checkpoints").toString());
            assertEquals(0, r.exitCode(), r.output());
            return;
        }
        try (disk) {
            scenario(name, disk.root().resolve("checkpoints"), SmallDisk.NO_SPACE);
            assertEquals(0, disk.usedBytes(), "bytes left on the disk, deleted files still mapped included");
        }
    }

    /** The child JVM of a run under a file size limit: scenario {@code args[0]} in directory {@code args[1]}. */
    static final class Child {
        public static void main(String[] args) {
            try {
                scenario(args[0], Path.of(args[1]), SmallDisk.FILE_TOO_LARGE);
            } catch (Throwable t) {
                t.printStackTrace();
                System.exit(1);
            }
            System.exit(0);
        }
    }

    private static void scenario(String name, Path checkpoints, String diskError) throws Exception {
        List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
        try {
            if (name.equals("goesOn")) {
                goesOn(checkpoints, diskError);
            } else {
                tolerates(checkpoints, diskError);
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertEquals(List.of(), uncaught, "errors that escaped a thread");
        assertEquals(List.of("_lock"), entries(checkpoints), "what the failed checkpoints left");
    }

    private static void goesOn(Path checkpoints, String diskError) throws Exception {
        SourceGate gate = new SourceGate();
        Environment env = env(checkpoints).injectFailures(gate);
        List<Tuple> out = new ArrayList<>();
        env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS))).keyBy("key").sum("value").collect(out);
        gate.holdAt(HELD_AT);
        JobHandle job = env.executeAsync("full-disk");
        try {
            goesOn(job, gate, checkpoints, diskError, out);
        } finally {
            job.cancel(); // when an assertion failed: the job must let go of the disk
        }
    }

    private static void goesOn(JobHandle job, SourceGate gate, Path checkpoints, String diskError,
                               List<Tuple> out) throws Exception {
        gate.awaitHeld(job);

        String reason = assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get()).getCause()
                .getMessage();
        assertDeclinedForTheDisk(reason, 1, checkpoints, diskError);
        assertEquals(1, job.failedCheckpoints());
        assertEquals(1, job.consecutiveFailedCheckpoints());
        assertEquals("checkpoint 1: " + reason.substring("checkpoint 1 aborted: ".length()),
                job.lastCheckpointFailure());
        CheckpointFailures failures = job.checkpointFailures();
        assertEquals(new CheckpointFailures(1, Map.of(CheckpointFailureReason.DISK_FULL, 1L),
                new CheckpointFailures.Last(1, CheckpointFailureReason.DISK_FULL,
                        reason.substring("checkpoint 1 aborted: ".length()))), failures);

        gate.release();
        JobResult result = job.await();
        assertArrayEquals(RunningSums.expected(RECORDS, KEYS, 0), RunningSums.of(out), "the job's output");
        assertEquals(0, result.checkpoints());
        assertEquals(1, result.failedCheckpoints());
        assertEquals(job.lastCheckpointFailure(), result.lastCheckpointFailure());
        assertEquals(failures, result.checkpointFailures());
    }

    private static void tolerates(Path checkpoints, String diskError) throws Exception {
        SourceGate gate = new SourceGate();
        Environment env = env(checkpoints).setTolerableCheckpointFailures(1).injectFailures(gate);
        env.fromSource(gate.wrap(new GeneratorSource(RECORDS, KEYS))).keyBy("key").sum("value")
                .collect(new ArrayList<>());
        gate.holdAt(HELD_AT);
        JobHandle job = env.executeAsync("full-disk-intolerant");
        try {
            tolerates(job, gate, checkpoints, diskError);
        } finally {
            job.cancel();
        }
    }

    private static void tolerates(JobHandle job, SourceGate gate, Path checkpoints, String diskError)
            throws Exception {
        gate.awaitHeld(job);
        assertDeclinedForTheDisk(assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get())
                .getCause().getMessage(), 1, checkpoints, diskError);
        String reason = assertThrows(ExecutionException.class, () -> job.triggerCheckpoint().get()).getCause()
                .getMessage();
        assertDeclinedForTheDisk(reason, 2, checkpoints, diskError);
        JobFailedException failed = assertThrows(JobFailedException.class, job::await);
        assertEquals("job 'full-disk-intolerant' failed: 2 consecutive checkpoints failed (disk full), the last (checkpoint 2): "
                + reason.substring("checkpoint 2 aborted: ".length()), failed.getMessage());
    }

    private static Environment env(Path checkpoints) {
        return Environment.streaming().setParallelism(2).setBatchSize(1024).enableCheckpointing(Duration.ZERO,
                checkpoints);
    }

    /**
     * Declined by the subtask that could not write (a time-out would say "timed out"), naming it, its state
     * file in the checkpoint's directory and the disk's error.
     */
    private static void assertDeclinedForTheDisk(String reason, long id, Path checkpoints, String diskError) {
        assertTrue(reason.startsWith("checkpoint " + id + " aborted: keyBy(key).sum(value) -> collect ["), reason);
        assertTrue(reason.contains(" could not write its state"), reason);
        assertTrue(reason.contains(checkpoints.resolve("chk-" + id) + "/"), reason);
        assertTrue(reason.contains(diskError), reason);
    }

    private static List<String> entries(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
