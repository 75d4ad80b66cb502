package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.riffle.columnar.batch.SelectionVector;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.internal.runtime.StateRestore;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.FieldVector;
import org.jspecify.annotations.Nullable;

/**
 * Event time of a pane-based window operator (tumbling and sliding windows kept by pane, {@link WindowSpec#pane()}
 * long): its watermark, the end of the last window it fired, which windows a watermark closes, which panes are
 * late, which fired windows are still kept, and after a rescaled restore the per-key-group marks of what the old
 * subtasks had fired. Shared by the aggregating and the user-function window operators (with {@link PaneSplitter},
 * which assigns a batch's rows to panes, and {@link Panes}, their state); owned by the operator's thread.
 */
final class PaneClock {
    private final WindowSpec windows;
    private final long size;
    private final long slide;
    private final long lateness;
    private long watermark = Long.MIN_VALUE;
    private long firedEnd = Long.MIN_VALUE;
    /**
     * After a rescaled restore: per key group of this subtask (from the first of {@link #keyGroups}), the end of the
     * last window its old subtask fired; null when every old subtask had fired as far, or once the clock passed them.
     */
    private long @Nullable [] firedEndByKeyGroup;
    private long highestFiredEnd;
    private KeyGroupRange keyGroups = KeyGroupRange.all(1);

    PaneClock(WindowSpec windows) {
        this.windows = windows;
        this.size = windows.size();
        this.slide = windows.slide();
        this.lateness = windows.allowedLateness();
    }

    /** The start of the last window holding time {@code time}: the highest window start at or below it. */
    long lastWindowStart(long time) {
        return windows.lastWindowStart(time);
    }

    long watermark() {
        return watermark;
    }

    /** The end of the last window fired. */
    long firedEnd() {
        return firedEnd;
    }

    /** Moves the watermark to {@code watermark}; false when that is not forward. */
    boolean advance(long watermark) {
        if (watermark <= this.watermark) {
            return false;
        }
        this.watermark = watermark;
        return true;
    }

    /** Whether pane {@code paneStart} is in a window: always, but between the windows of a slide longer than their size. */
    boolean inWindow(long paneStart) {
        return windows.inWindow(paneStart);
    }

    /**
     * Of {@code rows}, rows of a pane between windows, keeps those whose event time (timestamp plus
     * {@code offset}) is behind the watermark by at least the allowed lateness: those are late, as Flink's
     * window operator counts a record no window took when {@code t + lateness <= watermark}; the others count
     * nowhere.
     */
    void keepLateBetweenWindows(FieldVector timestamps, long offset, SelectionVector rows) {
        long data = timestamps.getDataBufferAddress();
        int[] selected = rows.rows();
        int kept = 0;
        for (int i = 0; i < rows.size(); i++) {
            int row = selected[i];
            if (MemoryUtil.getLong(data + ((long) row << 3)) + offset + lateness <= watermark) {
                selected[kept++] = row;
            }
        }
        rows.setSize(kept);
    }

    /** Whether every window holding pane {@code paneStart} has fired and is past its allowed lateness. */
    boolean isLate(long paneStart) {
        return lastWindowStart(paneStart) + size - 1 + lateness <= watermark;
    }

    /**
     * The ends of the windows not fired yet that the watermark closes, oldest first, of the windows holding
     * {@code duePanes} (the panes at or below the watermark: a window ends after its panes).
     */
    TreeSet<Long> endsToFire(Set<Long> duePanes) {
        TreeSet<Long> ends = new TreeSet<>();
        for (long p : duePanes) {
            for (long s = lastWindowStart(p); s > p - size; s -= slide) {
                long end = s + size;
                if (end > firedEnd && end - 1 <= watermark) {
                    ends.add(end);
                }
            }
        }
        return ends;
    }

    /**
     * Whether the window ending at {@code end} has fired and is still kept (within its allowed lateness): a
     * record for it now updates it and makes it fire again.
     */
    boolean firedAndKept(long end) {
        return end <= firedEnd && end - 1 + lateness > watermark;
    }

    /** The window ending at {@code end} has fired (windows fire in order of end). */
    void fired(long end) {
        firedEnd = end;
        if (firedEndByKeyGroup != null && firedEnd >= highestFiredEnd) {
            firedEndByKeyGroup = null;
        }
    }

    /**
     * Counts every window the watermark has closed as fired, whether it held data or not, as Flink's event-time
     * trigger does: a record that comes later for one (within the allowed lateness) is a late update, emitted
     * right after its batch, not an on-time record held until the next watermark. Call after firing the due
     * windows.
     */
    void closeThroughWatermark() {
        if (watermark == Long.MAX_VALUE || watermark < Long.MIN_VALUE + size + windows.offset()) {
            return;
        }
        long end = lastWindowStart(watermark + 1 - size) + size;
        if (end > firedEnd) {
            fired(end);
        }
    }

    /** After a rescaled restore: whether some old subtask may have fired the window ending at {@code end}. */
    boolean mayHaveFiredBeforeRestore(long end) {
        return firedEndByKeyGroup != null && end <= highestFiredEnd;
    }

    /** Whether the old subtask of key group {@code keyGroup} had fired the window ending at {@code end}. */
    boolean firedBeforeRestore(int keyGroup, long end) {
        return firedEndByKeyGroup != null && firedEndByKeyGroup[keyGroup - keyGroups.first()] >= end;
    }

    /** This subtask's part of a checkpoint index: its watermark, last fired end and panes. */
    WindowStateIndex index(int subtask, int parallelism, int maxParallelism, long[] paneStarts) {
        return new WindowStateIndex(subtask, parallelism, maxParallelism, watermark, firedEnd, paneStarts,
                new long[paneStarts.length]);
    }

    /**
     * Reads the old subtasks' indexes that meet this subtask's key groups: the watermark and fired end become
     * the lowest of theirs, each key group keeps its old subtask's mark, and the pane files to read are
     * returned by pane start (none when no old subtask's key groups meet these).
     */
    TreeMap<Long, List<Path>> restore(StateRestore restore) throws IOException {
        KeyGroupRange mine = restore.keyGroups();
        TreeMap<Long, List<Path>> paneFiles = new TreeMap<>();
        long[] marks = new long[mine.size()];
        long lowestWatermark = Long.MAX_VALUE;
        long lowestMark = Long.MAX_VALUE;
        long highestMark = Long.MIN_VALUE;
        boolean any = false;
        for (Path file : restore.files()) {
            WindowStateIndex old = WindowStateIndex.read(file);
            KeyGroupRange shared = mine.intersection(old.keyGroups());
            if (shared.isEmpty()) {
                continue;
            }
            any = true;
            Arrays.fill(marks, shared.first() - mine.first(), shared.endExclusive() - mine.first(), old.firedEnd());
            lowestWatermark = Math.min(lowestWatermark, old.watermark());
            lowestMark = Math.min(lowestMark, old.firedEnd());
            highestMark = Math.max(highestMark, old.firedEnd());
            for (int p = 0; p < old.paneStarts().length; p++) {
                paneFiles.computeIfAbsent(old.paneStarts()[p], k -> new ArrayList<>()).add(old.checkedPaneFile(file, p));
            }
        }
        if (!any) {
            return paneFiles;
        }
        keyGroups = mine;
        watermark = lowestWatermark;
        firedEnd = lowestMark;
        if (highestMark > lowestMark) {
            firedEndByKeyGroup = marks;
            highestFiredEnd = highestMark;
        }
        return paneFiles;
    }
}
