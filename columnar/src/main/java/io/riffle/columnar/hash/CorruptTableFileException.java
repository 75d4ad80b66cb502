package io.riffle.columnar.hash;

import java.io.IOException;

/** A hash table file is truncated, fails its checksum, or was written for another spec. */
public final class CorruptTableFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptTableFileException(String message) {
        super(message);
    }
}
