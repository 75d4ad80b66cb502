package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Runs a job at several parallelisms in turn: in each run but the last, the sources (taken through the
 * run's {@link SourceGate}) stop once each reader has read {@code stepRecords} more records than the
 * run before left it at; a savepoint is taken while they are held, the run is cancelled and the next one
 * restores the savepoint. Returns what every run committed. A held run cannot finish before its savepoint,
 * so nothing here depends on timing.
 */
final class SavepointRescale {
    /** Builds the job on {@code env}, its sources wrapped by {@code gate}, committing into {@code out}. */
    interface Job {
        void build(Environment env, SourceGate gate, List<Tuple> out);
    }

    private SavepointRescale() {
    }

    static List<Tuple> run(Path dir, int[] parallelisms, IntFunction<Environment> environment, long stepRecords,
                           Job job) throws Exception {
        List<Tuple> all = new ArrayList<>();
        Path from = null;
        for (int step = 0; step < parallelisms.length; step++) {
            boolean last = step == parallelisms.length - 1;
            SourceGate gate = new SourceGate();
            Environment env = environment.apply(parallelisms[step])
                    .enableCheckpointing(Duration.ZERO, dir.resolve("rescale-" + step)).injectFailures(gate);
            if (from != null) {
                env.restoreFrom(from);
            }
            List<Tuple> out = new ArrayList<>();
            job.build(env, gate, out);
            if (!last) {
                gate.holdAt((step + 1) * stepRecords);
            }
            JobHandle handle = env.executeAsync("rescale-" + step);
            if (!last) {
                gate.awaitHeld(handle);
                long id = handle.triggerSavepoint().get();
                handle.cancel();
                assertThrows(JobFailedException.class, handle::await);
                from = dir.resolve("rescale-" + step).resolve("savepoint-" + id);
            } else {
                handle.await();
            }
            all.addAll(out);
        }
        return all;
    }
}
