package io.riffle.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Captures what the job runs log about restores, as "LEVEL message" lines, while open. */
final class RecoveryLog extends Handler implements AutoCloseable {
    private final Logger logger = Logger.getLogger("io.riffle.engine.internal.runtime.JobRun");
    private final List<String> lines = new ArrayList<>();

    RecoveryLog() {
        logger.addHandler(this);
    }

    @Override
    public synchronized void publish(LogRecord record) {
        lines.add(record.getLevel() + " " + record.getMessage());
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
