package io.riffle.engine.internal.checkpoint;

import java.io.IOException;

/** A checkpoint whose manifest or state files are missing, truncated or fail their checksums. */
public final class CorruptCheckpointException extends IOException {
    public CorruptCheckpointException(String message) {
        super(message);
    }

    public CorruptCheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
