package io.riffle.engine.internal.runtime;

import java.nio.file.Path;

/**
 * What an operator captured for one checkpoint, to be written by the checkpoint thread: state files or a
 * few bytes for the manifest. {@link #close} is called once, written or not (an aborted checkpoint).
 */
public interface OperatorSnapshot extends AutoCloseable {
    /**
     * Writes the state into {@code file} (a fresh path in the checkpoint's directory) and returns the
     * bytes written, or 0 when this snapshot writes no file (only {@link #inlineBytes()}).
     */
    long writeTo(Path file) throws Exception;

    /** Small state kept in the manifest itself (a sink's committable), or null. */
    default byte[] inlineBytes() {
        return null;
    }

    @Override
    void close();
}
