package io.riffle.engine.internal.operator.harness;

import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.internal.runtime.StateRestore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What one operator subtask wrote for one checkpoint through an {@link OperatorHarness}: its state file
 * (none when the operator keeps no state or keeps it inline), its inline state and its committables, as
 * the runtime files them in a checkpoint's manifest. Restore a set of them with {@link #restoreOf}.
 */
public record StateHandle(long checkpointId, int subtask, int parallelism, List<Path> stateFiles,
                          List<byte[]> operatorStates, List<byte[]> committables) {
    public StateHandle {
        stateFiles = List.copyOf(stateFiles);
        operatorStates = List.copyOf(operatorStates);
        committables = List.copyOf(committables);
    }

    /**
     * What subtask {@code subtask} of {@code parallelism} restores from {@code old}, the handles of every
     * subtask of one checkpoint (each once, in any order), as the runtime gives it: every old subtask's state
     * files and inline state, in the order of the old subtasks, and the key groups
     * {@link KeyGroupRange#ofPartition} gives it.
     */
    public static StateRestore restoreOf(List<StateHandle> old, int subtask, int parallelism, int maxParallelism) {
        if (old.isEmpty()) {
            throw new IllegalArgumentException("a restore needs the state of every old subtask; none given");
        }
        StateHandle first = old.get(0);
        StateHandle[] bySubtask = new StateHandle[first.parallelism];
        for (StateHandle h : old) {
            if (h.checkpointId != first.checkpointId || h.parallelism != first.parallelism) {
                throw new IllegalArgumentException("the handles are of different checkpoints or parallelisms: "
                        + "checkpoint " + first.checkpointId + " at parallelism " + first.parallelism + " and checkpoint "
                        + h.checkpointId + " at parallelism " + h.parallelism);
            }
            if (bySubtask[h.subtask] != null) {
                throw new IllegalArgumentException("subtask " + h.subtask + "'s state is given twice");
            }
            bySubtask[h.subtask] = h;
        }
        List<Path> files = new ArrayList<>();
        List<byte[]> inline = new ArrayList<>();
        for (int s = 0; s < bySubtask.length; s++) {
            if (bySubtask[s] == null) {
                throw new IllegalArgumentException("subtask " + s + " of " + first.parallelism + "'s state is missing: "
                        + "a restore reads every old subtask's state");
            }
            files.addAll(bySubtask[s].stateFiles);
            inline.addAll(bySubtask[s].operatorStates);
        }
        return new StateRestore(first.checkpointId, files, inline,
                KeyGroupRange.ofPartition(subtask, maxParallelism, parallelism));
    }
}
