package io.riffle.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real file system that fills up, for tests of a full disk: a tmpfs of a few MiB mounted over a directory
 * ({@link #mount}, which needs root; this machine and CI run tests as root). Without root, {@link
 * #runUnderFileSizeLimit} runs a test's scenario in a child JVM whose files may not grow beyond the same size
 * ({@code ulimit -f}): writes past it fail with EFBIG ("File too large") where a full disk says ENOSPC ("No
 * space left on device"), and a page of a mapping touched past it raises SIGBUS, the same hazard.
 */
final class SmallDisk implements AutoCloseable {
    /** How a write fails on a full tmpfs, and under a file size limit. */
    static final String NO_SPACE = "No space left on device";
    static final String FILE_TOO_LARGE = "File too large";

    private final Path mountPoint;

    private SmallDisk(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** A tmpfs of {@code mebibytes} MiB mounted over the new directory {@code dir}; null when this process may not. */
    static SmallDisk mount(Path dir, int mebibytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        if (run("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m", "tmpfs", dir.toString()).exitCode != 0) {
            return null;
        }
        return new SmallDisk(dir);
    }

    Path root() {
        return mountPoint;
    }

    /** Bytes in use on the disk: what files (deleted ones still mapped included) hold. */
    long usedBytes() throws IOException {
        var store = Files.getFileStore(mountPoint);
        return store.getTotalSpace() - store.getUnallocatedSpace();
    }

    /** Unmounts the disk; one still in use (a failed test's job holding a file) is detached lazily. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (run("umount", mountPoint.toString()).exitCode != 0) {
            Result lazy = run("umount", "-l", mountPoint.toString());
            if (lazy.exitCode != 0) {
                throw new IOException("cannot unmount " + mountPoint + ": " + lazy.output);
            }
        }
    }

    /** What a child process printed and how it ended. */
    record Result(int exitCode, String output) {
    }

    /**
     * Runs {@code main} with {@code args} in a child JVM on this test's class path whose files may not grow
     * beyond {@code kibibytes} KiB; returns its exit code and output (stdout and stderr).
     */
    static Result runUnderFileSizeLimit(int kibibytes, Class<?> main, String... args)
            throws IOException, InterruptedException {
        StringBuilder command = new StringBuilder("ulimit -f " + kibibytes + " && exec '"
                + Path.of(System.getProperty("java.home"), "bin", "java") + "'"
                + " --add-opens=java.base/java.nio=ALL-UNNAMED -cp '" + System.getProperty("java.class.path") + "' '"
                + main.getName() + "'");
        for (String a : args) {
            command.append(" '").append(a).append('\'');
        }
        return run("bash", "-c", command.toString());
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end: " + output);
        }
        return new Result(p.exitValue(), output);
    }
}
