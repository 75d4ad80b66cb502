package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Files outside the job's checkpoint and output directories that a forged manifest names: a job must never
 * read them as its state, rename them as its output or change them in any way. {@link #damage()} says what
 * happened to them.
 */
final class Canary {
    /** What a forged state-file entry names. */
    static final String STATE = "precious.state";
    /** What a forged committable names: a pending part file as the sink would commit it. */
    static final String PENDING = "precious.csv.pending";

    private final Path dir;
    private final byte[] state;
    private final byte[] pending;

    private Canary(Path dir, byte[] state, byte[] pending) {
        this.dir = dir;
        this.state = state;
        this.pending = pending;
    }

    /** Plants the canary files in {@code dir}, created here. */
    static Canary plant(Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        byte[] state = new byte[4096];
        new Random(seed).nextBytes(state);
        byte[] pending = "key,value,timestamp\n-1,-1,1970-01-01T00:00:00Z\n".getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve(STATE), state);
        Files.write(dir.resolve(PENDING), pending);
        return new Canary(dir, state, pending);
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    /** What is wrong with the canary files now: missing, changed or joined by others; empty when untouched. */
    List<String> damage() throws IOException {
        List<String> problems = new ArrayList<>();
        check(STATE, state, problems);
        check(PENDING, pending, problems);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!name.equals(STATE) && !name.equals(PENDING)) {
                    problems.add(shown(name) + " appeared beside them");
                }
            }
        }
        return problems;
    }

    /** A canary file's name as the trial's report shows it: relative to the trial. */
    private String shown(String name) {
        return dir.getFileName() + "/" + name;
    }

    private void check(String name, byte[] expected, List<String> problems) throws IOException {
        Path f = dir.resolve(name);
        if (!Files.exists(f)) {
            problems.add(shown(name) + " is gone");
        } else if (!Arrays.equals(Files.readAllBytes(f), expected)) {
            problems.add(shown(name) + " was changed");
        }
    }
}
