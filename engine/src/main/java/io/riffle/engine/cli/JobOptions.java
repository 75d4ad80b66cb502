package io.riffle.engine.cli;

import java.nio.file.Path;

/** The options every built-in job reads, checked by the CLI before the job runs; input and output may be null. */
record JobOptions(long records, int keys, int batchSize, int parallelism, Path input, Path output) {
}
