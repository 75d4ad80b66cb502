package io.riffle.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.riffle.engine.connector.Source;

/**
 * A seeded plan of checkpoints and failures that the test thread drives through a {@link SourceGate}, so
 * that nothing depends on timing. For each failure the plan takes one or two checkpoints: the sources stop
 * at the planned count, the test triggers the checkpoint, the readers go on past their barrier to a second
 * count (so records after the barrier flow while operators downstream align and snapshot) and stop again.
 * Once the last of them completed, a failure is armed: the operators named with its prefix fail once
 * they have taken the planned number of records more, after the sources were let go. The restart must
 * restore that checkpoint, which {@link #run} checks by the counts the restored readers start at; it
 * also checks that every failure struck once and caused one restart, and that exactly the planned
 * checkpoints completed. The job must checkpoint only on demand ({@link #configure} sets that up) and
 * take every source through {@link #source}.
 *
 * <pre>{@code
 * RecoveryScript script = RecoveryScript.random(seed, 3, RECORDS / p, "keyBy(key).sum(value)");
 * Environment env = script.configure(Environment.streaming().setParallelism(p), dir);
 * env.fromSource(script.source(new GeneratorSource(RECORDS, 97))).keyBy("key").sum("value").collect(out);
 * JobResult result = script.run(env, "w1");
 * }</pre>
 */
public final class RecoveryScript {
    /** A checkpoint with the readers held at {@code at}, then on to {@code then}; the failure after it, or null. */
    private record Round(long at, long then, Failure failure) {
    }

    /** The operators named with {@code prefix} fail once they have taken {@code records} more records. */
    private record Failure(String prefix, long records) {
    }

    /** A failure waiting to strike, after checkpoint {@code checkpoint}. */
    private record Armed(Failure failure, long checkpoint, AtomicLong seen) {
    }

    private final long seed;
    private final List<Round> rounds;
    private final int failures;
    private final AtomicReference<Armed> armed = new AtomicReference<>();
    private final AtomicInteger struck = new AtomicInteger();
    private final SourceGate gate = new SourceGate(new FailureInjector() {
        @Override
        public void beforeBatch(String operator, int subtask, int rows) {
            Armed a = armed.get();
            if (a != null && operator.startsWith(a.failure.prefix) && a.seen.addAndGet(rows) >= a.failure.records
                    && armed.compareAndSet(a, null)) {
                struck.incrementAndGet();
                throw new IllegalStateException("injected failure in " + operator + ", " + a.failure.records
                        + " records after checkpoint " + a.checkpoint);
            }
        }
    });

    private RecoveryScript(long seed, List<Round> rounds, int failures) {
        this.seed = seed;
        this.rounds = rounds;
        this.failures = failures;
    }

    /**
     * {@code failures} failures, each at a random operator of {@code operators} a random number of records
     * (up to a tenth of {@code readerRecords}) after one or two checkpoints. The checkpoints hold the readers
     * between a twentieth and three quarters of {@code readerRecords}, the records the smallest reader of
     * the job's largest source reads, so every failure strikes before the job ends.
     */
    public static RecoveryScript random(long seed, int failures, long readerRecords, String... operators) {
        Random random = new Random(seed);
        int[] checkpoints = new int[failures];
        int total = 0;
        for (int f = 0; f < failures; f++) {
            checkpoints[f] = 1 + random.nextInt(2);
            total += checkpoints[f];
        }
        long low = readerRecords / 20;
        long high = readerRecords * 3 / 4;
        long[] counts = new long[2 * total];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = low + (long) (random.nextDouble() * (high - low));
        }
        Arrays.sort(counts);
        List<Round> rounds = new ArrayList<>();
        int next = 0;
        for (int f = 0; f < failures; f++) {
            for (int c = 0; c < checkpoints[f]; c++, next += 2) {
                Failure failure = c < checkpoints[f] - 1 ? null
                        : new Failure(operators[random.nextInt(operators.length)],
                                1 + (long) (random.nextDouble() * Math.max(1, readerRecords / 10)));
                rounds.add(new Round(counts[next], counts[next + 1], failure));
            }
        }
        return new RecoveryScript(seed, rounds, failures);
    }

    /**
     * {@code env} checkpointing into {@code checkpoints} only when the script takes a checkpoint, restarting
     * at once (up to 10 times), with the script's gate as its failure injector.
     */
    public Environment configure(Environment env, Path checkpoints) {
        return env.enableCheckpointing(Duration.ZERO, checkpoints)
                .setRestartStrategy(RestartStrategy.fixedDelay(10, Duration.ZERO)).injectFailures(gate);
    }

    /** The job's failure injector: wraps its sources ({@link #source}). */
    SourceGate gate() {
        return gate;
    }

    /** {@code source}, held where the plan says. */
    public Source source(Source source) {
        return gate.wrap(source);
    }

    /**
     * Runs the job on {@code env} through the plan and returns its result, once it has checked the plan
     * happened as written: each restart restored the checkpoint before its failure, each failure struck
     * once and the job completed exactly the checkpoints taken here.
     */
    public JobResult run(Environment env, String jobName) throws InterruptedException {
        gate.holdAt(0, rounds.get(0).at, rounds.get(0).then);
        JobHandle job = env.executeAsync(jobName);
        try {
            int attempt = 0;
            long taken = 0;
            for (int i = 0; i < rounds.size(); i++) {
                Round round = rounds.get(i);
                gate.awaitHeld(job, attempt);
                Map<String, Long> counts = gate.counts(attempt);
                Set<String> unfinished = gate.unfinished(attempt);
                long id = SourceGate.checkpoint(job);
                taken++;
                gate.awaitHeld(job, attempt);
                Round next = i + 1 < rounds.size() ? rounds.get(i + 1) : null;
                if (round.failure == null) {
                    hold(attempt, next);
                    continue;
                }
                hold(attempt + 1, next);
                armed.set(new Armed(round.failure, id, new AtomicLong()));
                gate.release(attempt);
                attempt++;
                try {
                    gate.awaitStarted(job, attempt);
                } catch (AssertionError e) {
                    throw new AssertionError("the failure planned after checkpoint " + id + " did not strike: "
                            + e.getMessage(), e);
                }
                assertRestored(attempt, id, counts, unfinished);
            }
            JobResult result = job.await();
            if (struck.get() != failures || result.restarts() != failures || result.checkpoints() != taken) {
                throw new AssertionError(struck.get() + " failures struck, " + result.restarts() + " restarts, "
                        + result.checkpoints() + " checkpoints completed; planned " + failures + " failures and "
                        + taken + " checkpoints");
            }
            return result;
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(this + ": " + e.getMessage(), e);
        } finally {
            stop(job);
        }
    }

    private void hold(int attempt, Round round) {
        if (round == null) {
            gate.release(attempt);
        } else {
            gate.holdAt(attempt, round.at, round.then);
        }
    }

    /** The readers of {@code attempt} start where checkpoint {@code id} held them: it was restored. */
    private void assertRestored(int attempt, long id, Map<String, Long> counts, Set<String> unfinished) {
        Map<String, Long> restored = gate.restoredCounts(attempt);
        boolean same = restored.keySet().containsAll(unfinished);
        for (Map.Entry<String, Long> r : restored.entrySet()) {
            same &= r.getValue().equals(counts.get(r.getKey()));
        }
        if (!same) {
            throw new AssertionError("attempt " + attempt + " did not restore checkpoint " + id + ": its readers"
                    + " started at " + restored + ", the checkpoint held them at " + counts);
        }
    }

    /** Leaves no job running behind a failed check. */
    private static void stop(JobHandle job) {
        if (job.isDone()) {
            return;
        }
        job.cancel();
        try {
            job.await();
        } catch (JobFailedException cancelled) {
            // Cancelled: what failed the check is already being thrown.
        }
    }

    @Override
    public String toString() {
        List<String> steps = new ArrayList<>();
        for (Round r : rounds) {
            steps.add("checkpoint at " + r.at + " (then " + r.then + ")" + (r.failure == null ? ""
                    : " and fail '" + r.failure.prefix + "' " + r.failure.records + " records later"));
        }
        return "seed " + seed + ": " + String.join(", ", steps);
    }
}
