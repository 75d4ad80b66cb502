package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One started CLI run in a child JVM: waited for, killed, or given up on as hung; used by one thread. */
final class ChildRun {
    /** How long a hung JVM gets to print its thread dump after SIGQUIT before it is killed. */
    private static final long THREAD_DUMP_MILLIS = 2_000;

    private final String label;
    private final List<String> arguments;
    private final Process process;
    private final Path dir;
    private final Path stderr;
    private final Path stdout;
    private final long startNanos = System.nanoTime();

    ChildRun(String label, List<String> arguments, Process process, Path dir, Path stdout, Path stderr) {
        this.label = label;
        this.arguments = arguments;
        this.process = process;
        this.dir = dir;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Whether the child exited within {@code millis}. */
    boolean awaitExit(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Waits for the child to exit by itself; after {@code limitMillis} it is hung: thread dump, kill. */
    RunRecord awaitEnd(long limitMillis) throws IOException, InterruptedException {
        if (awaitExit(Math.max(0, limitMillis - elapsedMillis()))) {
            return record(RunRecord.Ending.EXITED);
        }
        // SIGQUIT: the JVM prints every thread's stack to its stdout, which says where it hung.
        new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).start().waitFor();
        process.waitFor(THREAD_DUMP_MILLIS, TimeUnit.MILLISECONDS);
        destroy();
        return record(RunRecord.Ending.HUNG);
    }

    /** {@code kill -9} now, unless it already exited by itself. */
    RunRecord kill() throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return record(RunRecord.Ending.EXITED);
        }
        destroy();
        return record(RunRecord.Ending.KILLED);
    }

    /** Waits {@code delayMillis} from now, then {@code kill -9}, unless it exited by itself before. */
    RunRecord killAfter(long delayMillis) throws IOException, InterruptedException {
        if (awaitExit(delayMillis)) {
            return record(RunRecord.Ending.EXITED);
        }
        return kill();
    }

    private void destroy() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    private RunRecord record(RunRecord.Ending ending) throws IOException {
        Path crashReport = dir.resolve("hs_err_pid" + process.pid() + ".log");
        return new RunRecord(label, arguments, ending, process.exitValue(), elapsedMillis(),
                Files.readString(stderr, StandardCharsets.UTF_8),
                Files.exists(crashReport) ? crashSummary(crashReport) : null, jsonSummary());
    }

    /** The CLI's JSON summary, its last line on stdout; null when it wrote none (it failed or was killed). */
    private String jsonSummary() throws IOException {
        List<String> lines = Files.readAllLines(stdout, StandardCharsets.ISO_8859_1);
        String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        return last.startsWith("{") ? last : null;
    }

    /** The signal and the frame it hit, from a JVM crash report's header: {@code SIGBUS (0x7) ... in <frame>}. */
    private static String crashSummary(Path report) throws IOException {
        String signal = "a fatal error";
        String frame = "an unknown frame";
        List<String> lines = Files.readAllLines(report, StandardCharsets.ISO_8859_1);
        for (int i = 0; i < Math.min(lines.size(), 40); i++) {
            String line = lines.get(i);
            if (line.startsWith("#  SIG") || line.startsWith("#  Internal Error") || line.startsWith("#  Out of Memory")) {
                signal = line.substring(1).strip();
            } else if (line.startsWith("# Problematic frame:") && i + 1 < lines.size()) {
                frame = lines.get(i + 1).substring(1).strip();
            }
        }
        return signal + " in " + frame + " (" + report.getFileName() + ")";
    }
}
