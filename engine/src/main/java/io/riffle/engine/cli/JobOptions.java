package io.riffle.engine.cli;

import java.nio.file.Path;

/**
 * The options every built-in job reads, checked by the CLI before the job runs. Input, output, checkpoint
 * and restore directories may be null; {@code checkpointIntervalMs} 0 means only on demand; {@code failAfter}
 * 0 means no injected failure; {@code rate} 0 means unpaced; {@code slideMs} 0 means tumbling windows;
 * {@code sessionGapMs} 0 means windows of a size, otherwise session windows of that gap.
 */
record JobOptions(long records, int keys, int batchSize, int parallelism, Path input, Path output,
                  Path checkpointDir, long checkpointIntervalMs, long failAfter, Path from,
                  boolean allowDuplicatesOnFallback, long rate, long windowMs, long slideMs, long sessionGapMs) {
}
