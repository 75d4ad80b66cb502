package io.riffle.engine.cli;

/** The options every built-in job reads; checked by the CLI before the job runs. */
record JobOptions(long records, int keys, int batchSize) {
}
