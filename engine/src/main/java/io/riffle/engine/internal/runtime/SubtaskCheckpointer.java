package io.riffle.engine.internal.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.riffle.engine.CheckpointFailureReason;
import io.riffle.engine.FailureInjector;
import io.riffle.engine.connector.SourceReader;
import io.riffle.engine.internal.checkpoint.CheckpointCoordinator;
import io.riffle.engine.internal.checkpoint.CheckpointStats;
import io.riffle.engine.internal.checkpoint.FailureReasons;
import io.riffle.engine.internal.checkpoint.Manifest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask's side of checkpointing. A source subtask is told by the coordinator which barrier to
 * inject next ({@link #request}, read by its own thread between batches). On a barrier the subtask runs
 * the synchronous part here — the source position, each operator's {@code snapshotState} — and hands
 * the snapshots to the coordinator's writer thread, which writes them into the checkpoint's directory and
 * acknowledges. A subtask with several inputs aligns first (see {@link BarrierAligner}). A subtask that
 * finishes leaves the coordinator what it acknowledges later checkpoints with.
 */
final class SubtaskCheckpointer {
    private static final Logger LOG = LoggerFactory.getLogger(SubtaskCheckpointer.class);

    private final CheckpointCoordinator coordinator;
    private final CheckpointStats stats;
    private final String name;
    private final int task;
    private final int subtask;
    private final int parallelism;
    /** The vertex's source id (if any) and chain transformation ids: what a finished mark names. */
    private final int[] uids;
    private final FinalCommits finalCommits;
    private final FailureInjector failures;
    private volatile long requested;
    /** Snapshots handed to the writer thread and not written yet (guarded by itself). */
    private final List<OperatorSnapshot> unwritten = new ArrayList<>();

    /** An operator's snapshot to write, and the operator's transformation id, which names its file. */
    private record ToWrite(int uid, OperatorSnapshot snapshot) {
    }
    /** The last checkpoint this subtask snapshotted (or passed over as stale). */
    long lastId;

    SubtaskCheckpointer(CheckpointCoordinator coordinator, AttemptSpec spec, String name, int task, int subtask,
                        int parallelism, int[] uids) {
        this.coordinator = coordinator;
        this.failures = spec.failures();
        this.stats = spec.stats();
        this.finalCommits = spec.finalCommits();
        this.name = name;
        this.task = task;
        this.subtask = subtask;
        this.parallelism = parallelism;
        this.uids = uids;
    }

    /** Coordinator thread: inject barrier {@code id} before the next batch. */
    void request(long id) {
        requested = id;
    }

    /** The barrier a source should inject now, or 0. */
    long due() {
        long id = requested;
        return id > lastId ? id : 0;
    }

    /** The synchronous part of checkpoint {@code id}; the rest goes to the writer thread. */
    void snapshot(long id, SubtaskTasklet.@Nullable Source source, ChainLink[] links) throws Exception {
        long start = System.nanoTime();
        lastId = id;
        // Only one checkpoint is in flight, so snapshots still unwritten belong to one that was aborted; a
        // table keeps one snapshot open at a time, and the writer finds these closed and passes over them.
        synchronized (unwritten) {
            for (OperatorSnapshot stale : unwritten) {
                stale.close();
            }
            unwritten.clear();
        }
        List<Manifest.Entry> entries = new ArrayList<>();
        List<ToWrite> toWrite = new ArrayList<>();
        try {
            if (source != null) {
                entries.add(Manifest.Entry.position(source.id(), subtask, source.reader().position()));
            }
            for (ChainLink link : links) {
                OperatorSnapshot s = link.snapshot(id);
                if (s == null) {
                    continue;
                }
                byte[] inline = s.inlineBytes();
                if (inline != null) {
                    entries.add(s.isCommittable() ? Manifest.Entry.committable(link.uid, subtask, inline)
                            : Manifest.Entry.operatorState(link.uid, subtask, inline));
                    s.close();
                } else {
                    toWrite.add(new ToWrite(link.uid, s));
                }
            }
        } catch (Exception | Error e) {
            for (ToWrite w : toWrite) {
                w.snapshot.close();
            }
            throw e;
        }
        synchronized (unwritten) {
            for (ToWrite w : toWrite) {
                unwritten.add(w.snapshot);
            }
        }
        long pause = System.nanoTime() - start;
        stats.pause(id, pause);
        LOG.debug("{} snapshotted checkpoint {} in {} us", name, id, pause / 1_000);
        coordinator.submitWrite(() -> write(id, entries, toWrite));
    }

    /**
     * Writer thread: the asynchronous part; acknowledges, or declines at once on a failed write, whatever
     * failed: an exception, or an error such as an {@code InternalError} (a page of a mapping gone with its
     * truncated file) or an {@code OutOfMemoryError}. An uncaught one would end the writer task unseen and
     * leave the checkpoint to time out. The coordinator deletes a declined checkpoint's files.
     */
    private void write(long id, List<Manifest.Entry> entries, List<ToWrite> toWrite) {
        long bytes = 0;
        String failure = null;
        CheckpointFailureReason reason = CheckpointFailureReason.DECLINED;
        for (ToWrite w : toWrite) {
            OperatorSnapshot s = w.snapshot;
            Path path = null;
            try {
                Path dir = coordinator.directoryOf(id);
                if (dir != null && failure == null) {
                    String file = w.uid + "-" + subtask + ".state";
                    path = dir.resolve(file);
                    if (failures != null) {
                        failures.beforeStateWrite(id, path);
                    }
                    // The manifest checks the state file's size; an operator may write more files beside it.
                    bytes += s.writeTo(path);
                    entries.add(Manifest.Entry.stateFile(w.uid, subtask, file, Files.size(path)));
                }
            } catch (Exception | Error e) {
                String what = describe(e);
                boolean named = path == null || what.contains(path.toString());
                failure = name + " could not write its state" + (named ? "" : " to " + path) + ": " + what;
                reason = FailureReasons.of(e);
            } finally {
                s.close();
                synchronized (unwritten) {
                    unwritten.remove(s);
                }
            }
        }
        if (failure != null) {
            coordinator.decline(id, reason, failure);
        } else {
            coordinator.acknowledge(id, task, entries, bytes);
        }
    }

    /** What went wrong, in words a user can act on. */
    private static String describe(Throwable e) {
        if (e instanceof InternalError) {
            return "the file changed under the memory mapping it was written through (truncated by another "
                    + "process, or a disk error)";
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + e.getMessage() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * The subtask has ended its chain: its later checkpoints hold a finished mark per operator, the
     * source's end position (so a rescaled restore reads nothing more of this subtask's share) and the
     * output its sinks staged at end of input. Keyed state is left out: no record reaches it again.
     */
    void finished(SubtaskTasklet.@Nullable Source source) {
        List<Manifest.Entry> entries = new ArrayList<>();
        for (int uid : uids) {
            entries.add(Manifest.Entry.finished(uid, subtask, parallelism));
            for (byte[] committable : finalCommits.of(uid, subtask)) {
                entries.add(Manifest.Entry.committable(uid, subtask, committable));
            }
        }
        if (source != null) {
            entries.add(Manifest.Entry.position(source.id(), subtask, source.reader().position()));
        }
        coordinator.subtaskFinished(task, lastId, entries);
    }
}
