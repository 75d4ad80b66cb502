package io.riffle.engine.internal.operator.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a keyed operator through a rescale: every old subtask is fed the same input (a keyed harness keeps
 * its own keys' rows) and checkpointed; it goes on with the rest of the input while its checkpoint is
 * written, as in the runtime, then fails (what it emitted after the checkpoint is lost). Every new subtask
 * restores from all the old ones' state, takes the rest of the input and ends. Compare {@link #rescaled}
 * with {@link #uninterrupted}: a correct operator emits the same rows, once each.
 */
public final class Rescaling {
    /** What a run feeds a harness before or after its checkpoint. */
    public interface Feed<H extends OperatorHarness> {
        void feed(H harness) throws Exception;
    }

    private Rescaling() {
    }

    /** The rows of one subtask of 1 fed {@code before}, then {@code after}, then the end of input; sorted. */
    public static <H extends OperatorHarness> List<String> uninterrupted(OperatorHarness.Builder<?, H> builder,
                                                                        Feed<H> before, Feed<H> after) throws Exception {
        try (H harness = builder.subtask(0, 1).open()) {
            before.feed(harness);
            after.feed(harness);
            harness.endInput();
            return harness.output().sortedRowStrings();
        }
    }

    /**
     * The rows {@code from} subtasks emit when fed {@code before} and checkpointed, with those {@code to}
     * subtasks restored from that checkpoint emit when fed {@code after} and the end of input; sorted. The
     * old subtasks are fed {@code after} too between the checkpoint's synchronous part and its write, so a
     * snapshot that is not isolated from later changes shows. Checkpoints go into a fresh directory under
     * {@code dir}.
     */
    public static <H extends OperatorHarness> List<String> rescaled(OperatorHarness.Builder<?, H> builder, Path dir,
                                                                    int from, int to, Feed<H> before, Feed<H> after)
            throws Exception {
        builder.stateDirectory(Files.createTempDirectory(dir, "rescale-" + from + "-to-" + to + "-"));
        List<String> rows = new ArrayList<>();
        List<StateHandle> checkpoint = new ArrayList<>();
        for (int s = 0; s < from; s++) {
            try (H harness = builder.subtask(s, from).open()) {
                before.feed(harness);
                try (OperatorHarness.PendingSnapshot snapshot = harness.beginSnapshot(1)) {
                    rows.addAll(harness.output().rowStrings());
                    after.feed(harness);
                    checkpoint.add(snapshot.write());
                }
            }
        }
        for (int s = 0; s < to; s++) {
            try (H harness = builder.subtask(s, to).restore(checkpoint)) {
                after.feed(harness);
                harness.endInput();
                rows.addAll(harness.output().rowStrings());
            }
        }
        rows.sort(null);
        return rows;
    }
}
