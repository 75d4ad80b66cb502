package io.riffle.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * Runs a job at several parallelisms in turn: each run but the last is stopped once {@code stopAt}
 * records reached the operators named with {@code prefix}, after a savepoint the next run restores.
 * Returns what every run committed. The jobs' sources must be paced so that a run outlives its savepoint
 * by far (a run that finishes before its cancel has committed everything, and restoring it would repeat
 * records): a loaded two-core machine took over 100 ms for one.
 */
final class SavepointRescale {
    private SavepointRescale() {
    }

    static List<Tuple> run(Path dir, int[] parallelisms, IntFunction<Environment> environment, String prefix,
                           long stopAt, BiConsumer<Environment, List<Tuple>> job) throws Exception {
        List<Tuple> all = new ArrayList<>();
        Path from = null;
        for (int step = 0; step < parallelisms.length; step++) {
            boolean last = step == parallelisms.length - 1;
            Environment env = environment.apply(parallelisms[step])
                    .enableCheckpointing(Duration.ZERO, dir.resolve("rescale-" + step));
            if (from != null) {
                env.restoreFrom(from);
            }
            StopAfter stop = new StopAfter(prefix, last ? Long.MAX_VALUE : stopAt);
            env.injectFailures(stop);
            List<Tuple> out = new ArrayList<>();
            job.accept(env, out);
            JobHandle handle = env.executeAsync("rescale-" + step);
            if (!last) {
                stop.await(handle);
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
