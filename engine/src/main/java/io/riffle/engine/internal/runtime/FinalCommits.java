package io.riffle.engine.internal.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committables two-phase-commit writers stage at end of input, by sink (transformation id). They are
 * committed only once every subtask of the attempt has finished, so that a failure elsewhere cannot leave
 * output committed that the restored job would write again. Thread-safe.
 */
public final class FinalCommits {
    private final Map<Integer, List<byte[]>> bySink = new LinkedHashMap<>();

    public synchronized void add(int sink, byte[] committable) {
        bySink.computeIfAbsent(sink, k -> new ArrayList<>()).add(committable);
    }

    /** The committables of {@code sink}, and forgets them. */
    public synchronized List<byte[]> take(int sink) {
        List<byte[]> out = bySink.remove(sink);
        return out == null ? List.of() : out;
    }

    public synchronized void clear() {
        bySink.clear();
    }
}
