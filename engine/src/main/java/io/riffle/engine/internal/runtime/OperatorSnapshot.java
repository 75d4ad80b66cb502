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

    /** Small state kept in the manifest itself (a sink's committable, a watermark), or null. */
    default byte[] inlineBytes() {
        return null;
    }

    /** Whether {@link #inlineBytes()} is a sink's committable, to commit once the checkpoint is complete. */
    default boolean isCommittable() {
        return false;
    }

    @Override
    void close();

    /** A snapshot of {@code bytes} kept in the manifest: a sink's committable, or a few bytes of operator state. */
    static OperatorSnapshot inline(byte[] bytes, boolean committable) {
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) {
                return 0;
            }

            @Override
            public byte[] inlineBytes() {
                return bytes;
            }

            @Override
            public boolean isCommittable() {
                return committable;
            }

            @Override
            public void close() {
            }
        };
    }
}
