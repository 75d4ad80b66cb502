package io.riffle.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's recovery path end to end: a child JVM running W1 with exactly-once file output is killed with
 * SIGKILL after the checkpoint the test asked for ({@code riffle checkpoint DIR}) completed; {@code --from}
 * in a new process finishes the job, and the committed output equals that of a run that was never killed.
 * Parallelism 1, where the running sums themselves are deterministic. No periodic checkpoints: the test
 * takes the one it restores. The child is paced so that it cannot finish within the test's time limit.
 */
@Timeout(180)
class CliRecoveryTest {
    private static final String[] JOB = {"run", "keyed-sum", "--records", "60000", "--keys", "50", "--parallelism", "1",
        "--checkpoint-interval", "0"};
    /** Records a second in the child: 60 000 of them take 200 s, longer than the test may run. */
    private static final String CHILD_RATE = "300";

    @TempDir
    Path dir;

    private static int run(String... args) {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8);
        return RiffleCli.execute(args, out, out);
    }

    private static String[] with(String... extra) {
        String[] all = new String[JOB.length + extra.length];
        System.arraycopy(JOB, 0, all, 0, JOB.length);
        System.arraycopy(extra, 0, all, JOB.length, extra.length);
        return all;
    }

    @Test
    void aKilledProcessRestartedFromItsCheckpointsCommitsTheSameOutput() throws Exception {
        assertEquals(0, run(with("--checkpoint-dir", dir.resolve("ref-ckpt").toString(),
                "--output", dir.resolve("ref").toString())));

        Path checkpoints = dir.resolve("ckpt");
        Path out = dir.resolve("out");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                RiffleCli.class.getName()));
        command.addAll(List.of(with("--checkpoint-dir", checkpoints.toString(), "--output", out.toString(),
                "--rate", CHILD_RATE)));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            // The sink's directory appears once the job's first attempt is built, which is after it took the
            // checkpoint directory: only then may `riffle checkpoint` look at that directory's lock.
            while (!Files.isDirectory(out.resolve("keyed-sum")) && child.isAlive()) {
                child.waitFor(10, TimeUnit.MILLISECONDS);
            }
            assertTrue(child.isAlive(), () -> "the child ended before its job started: " + log());
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            PrintStream printed = new PrintStream(answer, true, StandardCharsets.UTF_8);
            assertEquals(0, RiffleCli.execute(new String[] {"checkpoint", checkpoints.toString()}, printed, printed),
                    () -> answer + log());
            assertEquals(checkpoints.resolve("chk-1") + "\n", answer.toString(StandardCharsets.UTF_8));
            assertTrue(hasCompleteCheckpoint(checkpoints));
            assertTrue(child.isAlive(), "the child finished before it could be killed");
            child.destroyForcibly();
            assertNotEquals(0, child.waitFor());
        } finally {
            child.destroyForcibly();
        }

        assertEquals(0, run(with("--checkpoint-dir", checkpoints.toString(), "--output", out.toString(),
                "--from", checkpoints.toString())));
        if (!committedLines(dir.resolve("ref/keyed-sum")).equals(committedLines(out.resolve("keyed-sum")))) {
            throw new AssertionError("the restarted run committed other lines than the reference run");
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("child.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean hasCompleteCheckpoint(Path checkpoints) throws IOException {
        if (!Files.isDirectory(checkpoints)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(checkpoints)) {
            return dirs.anyMatch(d -> Files.exists(d.resolve("_manifest")));
        }
    }

    /** The data lines of every committed part file, sorted (each file starts with a header line). */
    private static List<String> committedLines(Path directory) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                assertTrue(name.startsWith("part-") && name.endsWith(".csv"), "not committed: " + name);
                List<String> all = Files.readAllLines(f);
                assertEquals("key,value,timestamp", all.get(0));
                lines.addAll(all.subList(1, all.size()));
            }
        }
        lines.sort(null);
        assertEquals(60000, lines.size());
        return lines;
    }
}
