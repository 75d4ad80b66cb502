package io.riffle.engine;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;


/** Throws once, in the operators named with {@code prefix}, when they have seen {@code records} records. */
final class FailOnce implements FailureInjector {
    private final String prefix;
    private final long records;
    private final AtomicLong seen = new AtomicLong();
    private final AtomicBoolean fired = new AtomicBoolean();

    FailOnce(String prefix, long records) {
        this.prefix = prefix;
        this.records = records;
    }

    @Override
    public void beforeBatch(String operator, int subtask, int rows) {
        if (operator.startsWith(prefix) && seen.addAndGet(rows) >= records && fired.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure in " + operator + " after " + records + " records");
        }
    }
}
