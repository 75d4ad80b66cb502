package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts runs of the Riffle CLI ({@code io.riffle.engine.cli.RiffleCli}) in child JVMs with the flags
 * {@code bin/riffle} passes and a modest heap, so that a crash, a hang or a {@code kill -9} hits a process of
 * its own. Each run writes its stdout, stderr and any JVM crash report ({@code hs_err_pid<pid>.log}) into
 * the directory it is given.
 */
final class ChildJvm {
    private static final String CLI = "io.riffle.engine.cli.RiffleCli";
    private static final String DEBUG_VARIABLE = "RIFFLE_DEBUG";

    private final String classpath;
    private final List<String> javaOptions;

    /**
     * @param classpath   the engine and its dependencies (this JVM's own class path does)
     * @param javaOptions extra flags for every child, after the defaults
     */
    ChildJvm(String classpath, List<String> javaOptions) {
        this.classpath = classpath;
        this.javaOptions = List.copyOf(javaOptions);
    }

    /**
     * Starts {@code riffle <arguments>} with its files in {@code dir}, named after {@code label}. With
     * {@code fileSizeLimitKb} above 0 the child runs under {@code ulimit -f}: no file it writes can grow
     * beyond that many KiB (a full disk for one who cannot mount a small one).
     */
    ChildRun start(Path dir, String label, List<String> arguments, long fileSizeLimitKb) throws IOException {
        List<String> command = new ArrayList<>();
        if (fileSizeLimitKb > 0) {
            // exec keeps the pid: destroyForcibly then kills the JVM itself, not a shell around it.
            command.addAll(List.of("bash", "-c", "ulimit -f " + fileSizeLimitKb + " && exec \"$@\"", "bash"));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Arrow reads direct buffers' addresses through java.nio internals, closed by default on JDK 17+.
        command.addAll(List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "-XX:+UseParallelGC", "-Xmx512m",
                "-XX:-UsePerfData", "-XX:ErrorFile=" + dir.toAbsolutePath().resolve("hs_err_pid%p.log")));
        command.addAll(javaOptions);
        command.addAll(List.of("-cp", classpath, CLI));
        command.addAll(arguments);
        Path stdout = dir.resolve(label + ".out");
        Path stderr = dir.resolve(label + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        // The error lines are judged as a user sees them, without the stack traces this asks for.
        builder.environment().remove(DEBUG_VARIABLE);
        Process process = builder.start();
        return new ChildRun(label, arguments, process, dir, stdout, stderr);
    }
}
