package io.riffle.bench.kafka;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One system running K1: the keyed running sum of an input topic into an output topic, exactly once, committing
 * every {@code interval}, with {@code parallelism} tasks. {@link #run} returns once the whole input's results are
 * committed.
 */
interface K1Contender {
    String name();

    void run(String servers, String in, String out, int parallelism, Duration interval, long records, Path scratch)
            throws Exception;
}
