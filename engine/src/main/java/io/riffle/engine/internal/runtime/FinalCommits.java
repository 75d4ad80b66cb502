package io.riffle.engine.internal.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * The committables two-phase-commit writers stage at end of input, by sink (transformation id) and
 * subtask. Each goes into every checkpoint taken after its subtask finished (so a restore commits it),
 * and all are committed once every subtask of the attempt has finished: committing earlier, outside a
 * checkpoint, could leave output committed that the restored job would write again. Thread-safe.
 */
public final class FinalCommits {
    private record Staged(int sink, int subtask, byte[] committable) {
    }

    private final List<Staged> staged = new ArrayList<>();

    public synchronized void add(int sink, int subtask, byte[] committable) {
        staged.add(new Staged(sink, subtask, committable));
    }

    /** What subtask {@code subtask} of sink {@code sink} staged. */
    public synchronized List<byte[]> of(int sink, int subtask) {
        List<byte[]> out = new ArrayList<>();
        for (Staged s : staged) {
            if (s.sink == sink && s.subtask == subtask) {
                out.add(s.committable);
            }
        }
        return out;
    }

    /** The committables of {@code sink}, and forgets them. */
    public synchronized List<byte[]> take(int sink) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < staged.size(); ) {
            if (staged.get(i).sink == sink) {
                out.add(staged.remove(i).committable);
            } else {
                i++;
            }
        }
        return out;
    }

    public synchronized void clear() {
        staged.clear();
    }
}
