package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;


/**
 * Failures planned by operator name (or its beginning) and record count (over all subtasks and attempts, so each happens
 * once and the job always gets further): the failure-injection tests' randomness, replayable by seed.
 */
final class PlannedFailures implements FailureInjector {
    private record Failure(String operator, long atRecord, AtomicBoolean fired) {
    }

    private final List<Failure> failures = new ArrayList<>();
    private final Map<String, AtomicLong> seen = new ConcurrentHashMap<>();
    final AtomicInteger fired = new AtomicInteger();

    /** {@code count} failures at random operators of {@code operators}, each after a random record below {@code records}. */
    static PlannedFailures random(long seed, int count, long records, String... operators) {
        Random r = new Random(seed);
        PlannedFailures plan = new PlannedFailures();
        for (int i = 0; i < count; i++) {
            String op = operators[r.nextInt(operators.length)];
            plan.failures.add(new Failure(op, 1 + (long) (r.nextDouble() * (records - 1)), new AtomicBoolean()));
            plan.seen.putIfAbsent(op, new AtomicLong());
        }
        return plan;
    }

    @Override
    public void beforeBatch(String operator, int subtask, int rows) {
        for (Map.Entry<String, AtomicLong> planned : seen.entrySet()) {
            if (operator.startsWith(planned.getKey())) {
                check(planned.getKey(), planned.getValue().addAndGet(rows));
            }
        }
    }

    private void check(String operator, long upTo) {
        for (Failure f : failures) {
            if (f.operator.equals(operator) && upTo >= f.atRecord && f.fired.compareAndSet(false, true)) {
                fired.incrementAndGet();
                throw new IllegalStateException("injected failure in " + operator + " at record " + f.atRecord);
            }
        }
    }

    /**
     * Every planned failure happened and the job restarted for them: once per failure, or fewer times when
     * two struck one attempt (subtasks that fail before the restart cancels them make one restart).
     */
    void assertHappened(JobResult result, String context) {
        assertEquals(failures.size(), fired.get(), context + ": planned failures that happened");
        assertTrue(result.restarts() >= 1 && result.restarts() <= failures.size(),
                context + ": " + result.restarts() + " restarts for " + failures.size() + " failures");
    }

    @Override
    public String toString() {
        return failures.toString();
    }
}
