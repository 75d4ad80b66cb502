package io.riffle.engine.internal.checkpoint;

import java.nio.file.Path;

/** A complete, checked checkpoint: its directory and manifest. */
public record RestoredCheckpoint(Path directory, Manifest manifest) {
    public long id() {
        return manifest.checkpointId();
    }
}
