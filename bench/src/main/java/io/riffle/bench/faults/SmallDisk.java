package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A directory on a disk of a few KiB to MiB: a tmpfs of that size mounted on it, where the campaign may
 * mount (as root); otherwise nothing is mounted and the runs must be limited with {@code ulimit -f} (which
 * limits every file the child writes, its output too). Unmounted on {@link #close()}.
 */
final class SmallDisk implements AutoCloseable {
    private final Path dir;
    private final long bytes;
    private final boolean mounted;
    private final String refusal;

    private SmallDisk(Path dir, long bytes, boolean mounted, String refusal) {
        this.dir = dir;
        this.bytes = bytes;
        this.mounted = mounted;
        this.refusal = refusal;
    }

    /** Mounts a tmpfs of {@code bytes} on {@code dir}, an empty directory, if this process may. */
    static SmallDisk mount(Path dir, long bytes) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + bytes, "riffle-faults", dir.toString())
                .redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? new SmallDisk(dir, bytes, true, null) : new SmallDisk(dir, bytes, false, said);
    }

    /** Whether a tmpfs is mounted; if not, limit the runs' file sizes to {@link #bytes()}. */
    boolean mounted() {
        return mounted;
    }

    long bytes() {
        return bytes;
    }

    /** What {@code mount} said when it refused; null when it mounted. */
    String refusal() {
        return refusal;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted && run("umount", dir.toString()) != 0 && run("umount", "-l", dir.toString()) != 0) {
            throw new IOException("could not unmount the small disk on " + dir);
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }
}
