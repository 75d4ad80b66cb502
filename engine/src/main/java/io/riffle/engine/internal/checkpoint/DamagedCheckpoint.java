package io.riffle.engine.internal.checkpoint;

import java.nio.file.Path;

/** A checkpoint with a manifest that cannot be restored, and why (the reason names the file at fault). */
public record DamagedCheckpoint(long id, Path directory, String reason) {
}
