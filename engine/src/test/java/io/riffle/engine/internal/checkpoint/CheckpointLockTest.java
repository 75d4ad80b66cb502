package io.riffle.engine.internal.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.riffle.engine.Environment;
import io.riffle.engine.JobHandle;
import io.riffle.engine.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint directory's lock between processes: a check whether a job runs ({@code riffle checkpoint},
 * {@link CheckpointStorage#inUse}) is never taken for a running job by a job starting meanwhile, and a
 * check or a refused second job in the running job's own JVM leaves its lock held. Another process is a
 * child JVM ({@link OtherProcess}).
 */
@Timeout(120)
class CheckpointLockTest {
    private static final Path LOCKS = Path.of("/proc/locks");

    @TempDir
    Path dir;

    /**
     * A child process is caught looking at the directory (it holds what a check holds meanwhile); a job
     * starting then waits for the check to end (the test sees it wait in {@code /proc/locks}) and starts,
     * where it used to fail as "in use by another running job".
     */
    @Test
    void aJobStartingWhileAnotherProcessChecksTheDirectoryStarts() throws Exception {
        assumeTrue(Files.isReadable(LOCKS), "needs Linux's /proc/locks");
        Path lockFile = dir.resolve("_lock");
        try (OtherProcess checker = OtherProcess.start("check", lockFile)) {
            assertEquals("checking", checker.readLine());
            Environment env = Environment.streaming().setParallelism(1).enableCheckpointing(Duration.ZERO, dir);
            List<Tuple> out = new ArrayList<>();
            env.generate(1_000, 10).keyBy("key").sum("value").collect(out);
            CompletableFuture<JobHandle> starting = CompletableFuture.supplyAsync(() -> env.executeAsync("starting"));
            awaitWaiterOrEnd(lockFile, starting);
            checker.tell("done");
            assertEquals(0, starting.join().await().restarts());
            assertEquals(1_000, out.size(), "rows the job emitted");
        }
    }

    /**
     * Waits until a process waits for a lock on {@code file}, as {@code /proc/locks} shows (a line with
     * "->"), or until {@code starting} is done (it did not wait).
     */
    private static void awaitWaiterOrEnd(Path file, CompletableFuture<?> starting) throws Exception {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        String inode = ":" + key.toString().replaceAll(".*ino=(\\d+).*", "$1") + " ";
        while (true) {
            for (String line : Files.readAllLines(LOCKS)) {
                if (line.contains("->") && line.contains(inode)) {
                    return;
                }
            }
            // The kernel's lock table has no event to wait on: wait for the start to end instead, looking at the
            // table again every few milliseconds; nothing here asserts how long anything took.
            try {
                starting.get(5, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException stillStarting) {
                // look again
            } catch (ExecutionException failed) {
                return; // the caller's join reports it
            }
        }
    }

    /** A check, or a second job refused, in the JVM whose job holds the directory leaves the lock held. */
    @Test
    void checkingFromTheJobsOwnJvmKeepsTheJobsLock() throws Exception {
        CheckpointStorage storage = new CheckpointStorage(dir, 1);
        try (AutoCloseable job = storage.lock()) {
            assertTrue(new CheckpointStorage(dir, 1).inUse());
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new CheckpointStorage(dir, 2).lock());
            assertEquals("checkpoint directory " + dir + " is in use by another running job (" + dir.resolve("_lock")
                    + " is locked)", e.getMessage());
            try (OtherProcess other = OtherProcess.start("try", dir.resolve("_lock"))) {
                assertEquals("held", other.readLine(), "the job's lock, seen from another process");
            }
        }
        assertTrue(!new CheckpointStorage(dir, 1).inUse(), "the lock is gone with the job");
    }

    /**
     * Another process, on the lock file {@code args[1]}. {@code check}: holds both bytes a check holds while
     * it looks, says "checking", and lets go once told. {@code try}: says whether a job holds the file.
     */
    static final class OtherProcess implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;

        private OtherProcess(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static OtherProcess start(String mode, Path lockFile) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            return new OtherProcess(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    OtherProcess.class.getName(), mode, lockFile.toString()).redirectErrorStream(true).start());
        }

        String readLine() throws IOException {
            return out.readLine();
        }

        void tell(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }

        public static void main(String[] args) throws IOException {
            try (FileChannel channel = FileChannel.open(Path.of(args[1]), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                if (args[0].equals("check")) {
                    long from = Math.min(CheckpointStorage.JOB_BYTE, CheckpointStorage.PROBE_BYTE);
                    try (FileLock checking = channel.lock(from, 2, false)) {
                        System.out.println("checking");
                        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                    }
                } else {
                    FileLock job = channel.tryLock(CheckpointStorage.JOB_BYTE, 1, false);
                    System.out.println(job == null ? "held" : "free");
                }
            }
        }
    }
}
