package io.riffle.engine.internal.runtime;

import io.riffle.columnar.kernel.KeyGroupRange;
import java.nio.file.Path;
import java.util.List;

/**
 * The part of a restored checkpoint one operator subtask takes up: the state files every old subtask of
 * the operator wrote (keyed state is filed by key group, so each new subtask reads its key groups out of
 * all of them), the inline state of every old subtask ({@link OperatorSnapshot#inlineBytes()}, not
 * committables) and this subtask's key group range.
 */
public record StateRestore(long checkpointId, List<Path> files, List<byte[]> operatorStates, KeyGroupRange keyGroups) {
    /** The job's number of key groups. */
    public int maxParallelism() {
        return keyGroups.maxParallelism();
    }
}
