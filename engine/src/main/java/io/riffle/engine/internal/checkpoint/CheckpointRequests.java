package io.riffle.engine.internal.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * On-demand checkpoints for a job running in another process, through its checkpoint directory: a client
 * drops {@code _request-<nonce>} (holding {@code checkpoint} or {@code savepoint}); the job's coordinator
 * finds it, queues the checkpoint (behind one in flight), deletes the request, and answers in
 * {@code _response-<nonce>} once the checkpoint completed or failed, with
 * {@code ok <directory>} or {@code failed <reason>}. Both files appear by rename, so neither side reads a
 * half-written one. Whether a job is running is told by the directory's lock
 * ({@link CheckpointStorage#inUse}), without getting in the way of a job starting meanwhile.
 */
public final class CheckpointRequests {
    private static final String REQUEST = "_request-";
    private static final String RESPONSE = "_response-";
    private static final long POLL_NANOS = 20_000_000L;

    private CheckpointRequests() {
    }

    /**
     * Job side: takes every pending request in {@code root}, starts its checkpoint through
     * {@code trigger} (true: a savepoint) and answers when it completes or fails.
     */
    static void serve(Path root, Function<Boolean, CompletableFuture<Long>> trigger) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(root, REQUEST + "*")) {
            for (Path request : requests) {
                String name = request.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    continue;
                }
                String kind;
                try {
                    kind = Files.readString(request, StandardCharsets.UTF_8).trim();
                } catch (NoSuchFileException e) {
                    continue;
                }
                Path response = root.resolve(RESPONSE + name.substring(REQUEST.length()));
                boolean savepoint = kind.equals("savepoint");
                if (!savepoint && !kind.equals("checkpoint")) {
                    Files.deleteIfExists(request);
                    answer(response, "failed the request holds '" + kind + "', not 'checkpoint' or 'savepoint'");
                    continue;
                }
                trigger.apply(savepoint).whenComplete((id, e) -> answer(response, e != null
                        ? "failed " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
                        : "ok " + root.resolve((savepoint ? "savepoint-" : "chk-") + id)));
                // Deleted once its checkpoint is queued: a client that sees it gone knows the job took it.
                Files.deleteIfExists(request);
            }
        } catch (IOException e) {
            // The directory went away or cannot be read; requests are served on the next poll, if any.
        }
    }

    private static void answer(Path response, String line) {
        try {
            writeAtomically(response, line);
        } catch (IOException e) {
            // The client times out and says so.
        }
    }

    /**
     * Client side: asks the job checkpointing into {@code root} for a checkpoint (or savepoint) and waits
     * for it; returns its directory. Fails when no job holds the directory, when the checkpoint fails
     * (with the job's reason) or when no answer came within {@code timeout}.
     */
    public static Path request(Path root, boolean savepoint, Duration timeout) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + " is not a checkpoint directory");
        }
        if (!new CheckpointStorage(root, 1).inUse()) {
            throw new IllegalStateException("no running job checkpoints into " + root);
        }
        String nonce = UUID.randomUUID().toString();
        Path request = root.resolve(REQUEST + nonce);
        Path response = root.resolve(RESPONSE + nonce);
        writeAtomically(request, savepoint ? "savepoint" : "checkpoint");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(response)) {
            if (System.nanoTime() - deadline > 0) {
                Files.deleteIfExists(request);
                throw new IllegalStateException("the job checkpointing into " + root + " did not answer within "
                        + timeout.toMillis() + " ms");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        String answer = Files.readString(response, StandardCharsets.UTF_8).trim();
        Files.delete(response);
        if (!answer.startsWith("ok ")) {
            throw new IllegalStateException(answer.startsWith("failed ") ? answer.substring(7) : answer);
        }
        return Path.of(answer.substring(3));
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
