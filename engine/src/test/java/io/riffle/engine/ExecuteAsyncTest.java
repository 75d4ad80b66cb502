package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code executeAsync()}: a running job keeps the JVM alive, and nothing of it outlives the job. */
@Timeout(120)
class ExecuteAsyncTest {
    static final int RECORDS = 5_000;
    static final int KEYS = 10;
    /** Paced to take at least a second, far longer than {@code main} takes to return after starting it. */
    static final int RECORDS_PER_SECOND = 5_000;

    /** A program whose {@code main} starts a job writing {@code args[0]} and returns at once. */
    public static final class AsyncMain {
        public static void main(String[] args) {
            Environment env = Environment.streaming().setParallelism(1);
            env.generate(RECORDS, KEYS, RECORDS_PER_SECOND).keyBy("key").sum("value").writeCsv(Path.of(args[0]));
            env.executeAsync("async-main");
        }
    }

    @Test
    void aMainThatStartsAJobAndReturnsLeavesTheJvmRunningUntilTheJobHasWrittenEverything(@TempDir Path dir)
            throws IOException, InterruptedException {
        Path output = dir.resolve("sums.csv");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), AsyncMain.class.getName(), output.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertTrue(child.waitFor(100, TimeUnit.SECONDS), "the child JVM did not end");
        assertEquals(0, child.exitValue(), Files.readString(dir.resolve("child.log")));
        List<String> expected = new ArrayList<>();
        expected.add("key,value,timestamp");
        long[] sums = new long[KEYS];
        for (int i = 0; i < RECORDS; i++) {
            sums[i % KEYS] += i;
            // The running sum keeps the timestamp of the key's first record, i = key, as Flink's sum does.
            expected.add(i % KEYS + "," + sums[i % KEYS] + "," + Instant.ofEpochMilli(i % KEYS));
        }
        assertEquals(expected, Files.readAllLines(output, StandardCharsets.UTF_8));
    }

    @Test
    void theKeeperThreadLivesAsLongAsTheJobUnlessTheEnvironmentSaysOtherwise() {
        Environment env = Environment.streaming().setParallelism(1);
        env.generate(Long.MAX_VALUE, KEYS, 1000).forEachBatch(b -> { });
        JobHandle job = env.executeAsync("kept");
        assertTrue(keeperOf("kept").isAlive() && !keeperOf("kept").isDaemon());
        job.cancel();
        assertThrows(JobFailedException.class, job::await);
        assertFalse(threadNamed("riffle-keeper-kept"), "the keeper outlived the job");

        Environment daemons = Environment.streaming().setParallelism(1).setKeepJvmAlive(false);
        daemons.generate(Long.MAX_VALUE, KEYS, 1000).forEachBatch(b -> { });
        JobHandle unkept = daemons.executeAsync("unkept");
        try {
            assertFalse(threadNamed("riffle-keeper-unkept"));
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                assertTrue(!t.getName().startsWith("riffle-") || t.isDaemon(), t.getName() + " is not a daemon");
            }
        } finally {
            unkept.cancel();
            assertThrows(JobFailedException.class, unkept::await);
        }
    }

    private static Thread keeperOf(String job) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("riffle-keeper-" + job)) {
                return t;
            }
        }
        throw new AssertionError("no keeper thread for job '" + job + "'");
    }

    private static boolean threadNamed(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
