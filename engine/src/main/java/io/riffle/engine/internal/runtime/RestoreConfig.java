package io.riffle.engine.internal.runtime;

import java.nio.file.Path;

/**
 * Where a job's first attempt restores from ({@code from}: a checkpoint, or a directory of them; null: it
 * starts from the beginning), and whether recovery may fall back over a damaged checkpoint when a sink
 * cannot take back what that checkpoint committed, repeating that output.
 */
public record RestoreConfig(Path from, boolean allowDuplicatesOnFallback) {
}
