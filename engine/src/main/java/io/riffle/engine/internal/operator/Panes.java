package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import io.riffle.engine.internal.runtime.OperatorSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * The state of a pane-based window operator, one part {@code P} per pane start (a table of partial aggregates,
 * each key's folded record): created on a pane's first record, freed once every window holding the pane is
 * past its allowed lateness, checkpointed pane by pane into {@code <state file>.<pane start>} beside the
 * {@link WindowStateIndex}. Owned by the operator's thread; closing frees every pane.
 *
 * @param <P> one pane's state
 */
final class Panes<P> implements AutoCloseable {
    /** One pane's part of a checkpoint, taken when the checkpoint starts and written later. */
    interface PaneCheckpoint {
        /** Writes the pane's state to {@code paneFile}; returns its size in bytes. */
        long writeTo(Path paneFile) throws IOException;

        /** Lets go of what the checkpoint shares with the live state. */
        void close();
    }

    private final TreeMap<Long, P> byStart = new TreeMap<>();
    private final Supplier<P> create;
    private final Consumer<P> free;

    /** Panes made by {@code create} on first use and freed by {@code free}. */
    Panes(Supplier<P> create, Consumer<P> free) {
        this.create = create;
        this.free = free;
    }

    /** Pane {@code start}'s state; null when it holds no records. */
    @Nullable P get(long start) {
        return byStart.get(start);
    }

    /** Pane {@code start}'s state, created if it holds no records yet. */
    P getOrCreate(long start) {
        P pane = byStart.get(start);
        if (pane == null) {
            pane = create.get();
            byStart.put(start, pane);
        }
        return pane;
    }

    /** The panes starting in {@code [from, to)}: a window's panes. */
    NavigableMap<Long, P> between(long from, long to) {
        return byStart.subMap(from, true, to, false);
    }

    /** The panes starting at or below {@code watermark}: those that may end a window the watermark closes. */
    NavigableMap<Long, P> through(long watermark) {
        return byStart.headMap(watermark, true);
    }

    /** Frees the panes of {@code due} whose every window is past its allowed lateness. */
    void freeLate(NavigableMap<Long, P> due, PaneClock clock) {
        Iterator<Map.Entry<Long, P>> it = due.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, P> e = it.next();
            if (clock.isLate(e.getKey())) {
                free.accept(e.getValue());
                it.remove();
            }
        }
    }

    /** Restore: pane {@code start}'s state becomes {@code pane}; one there before is freed. */
    void put(long start, P pane) {
        P stale = byStart.put(start, pane);
        if (stale != null) {
            free.accept(stale);
        }
    }

    /**
     * A checkpoint of every pane ({@code snapshot} takes each one's part now) and of {@code clock}'s index: the
     * index names the panes and the sizes of their files.
     */
    OperatorSnapshot checkpoint(PaneClock clock, int subtask, int parallelism, int maxParallelism,
                                Function<P, PaneCheckpoint> snapshot) {
        long[] starts = new long[byStart.size()];
        PaneCheckpoint[] parts = new PaneCheckpoint[byStart.size()];
        int taken = 0;
        try {
            for (Map.Entry<Long, P> e : byStart.entrySet()) {
                starts[taken] = e.getKey();
                parts[taken] = snapshot.apply(e.getValue());
                taken++;
            }
        } catch (RuntimeException e) {
            for (int p = 0; p < taken; p++) {
                parts[p].close();
            }
            throw e;
        }
        WindowStateIndex index = clock.index(subtask, parallelism, maxParallelism, starts);
        return new OperatorSnapshot() {
            @Override
            public long writeTo(Path file) throws IOException {
                long bytes = 0;
                for (int p = 0; p < parts.length; p++) {
                    long written = parts[p].writeTo(WindowStateIndex.paneFile(file, starts[p]));
                    index.paneBytes()[p] = written;
                    bytes += written;
                }
                return bytes + index.writeTo(file);
            }

            @Override
            public void close() {
                for (PaneCheckpoint part : parts) {
                    part.close();
                }
            }
        };
    }

    @Override
    public void close() {
        for (P pane : byStart.values()) {
            free.accept(pane);
        }
        byStart.clear();
    }
}
