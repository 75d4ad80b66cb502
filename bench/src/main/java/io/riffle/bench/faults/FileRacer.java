package io.riffle.bench.faults;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * A thread that truncates a file and grows it back with its own bytes, over and over, as another process
 * that rewrites a file (or a disk that loses pages) would, while a job restores from it. It stops when
 * closed, or when the file is gone; a mapped reader sees pages vanish under it.
 */
final class FileRacer implements AutoCloseable {
    /** The longest the file stays whole between two cuts. */
    private static final int WHOLE_NANOS = 5_000_000;

    private final Path file;
    private final byte[] original;
    private final Random random;
    private final Thread thread;
    private volatile boolean stopped;
    private volatile long cycles;
    private volatile IOException failure;

    private FileRacer(Path file, byte[] original, long seed) {
        this.file = file;
        this.original = original;
        this.random = new Random(seed);
        this.thread = new Thread(this::race, "riffle-faults-racer");
        this.thread.setDaemon(true);
    }

    /** Starts racing on {@code file}. */
    static FileRacer start(Path file, long seed) throws IOException {
        FileRacer racer = new FileRacer(file, Files.readAllBytes(file), seed);
        racer.thread.start();
        return racer;
    }

    private void race() {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (!stopped) {
                int cut = random.nextInt(original.length / 2 + 1);
                ch.truncate(cut);
                ByteBuffer rest = ByteBuffer.wrap(original, cut, original.length - cut);
                long at = cut;
                while (rest.hasRemaining()) {
                    at += ch.write(rest, at);
                }
                cycles++;
                // Whole for a moment: a restore that checks the size first then sees it shrink while it reads.
                LockSupport.parkNanos(random.nextInt(WHOLE_NANOS));
            }
        } catch (NoSuchFileException e) {
            // The job pruned the checkpoint: nothing left to race on.
        } catch (IOException e) {
            failure = e;
        }
    }

    /** How many times the file was cut short and regrown. */
    long cycles() {
        return cycles;
    }

    /** Stops racing and waits for the thread; the file is whole again unless it was deleted. */
    @Override
    public void close() throws IOException, InterruptedException {
        stopped = true;
        thread.join();
        if (failure != null) {
            throw failure;
        }
    }
}
