package io.riffle.engine.internal.checkpoint;

import java.util.ArrayList;
import java.util.List;

/**
 * What a complete checkpoint holds: per operator (by transformation id) and subtask, a source position,
 * a state file (name and size) or a sink's committable. Written last and atomically, with a CRC32C over
 * its bytes, so a checkpoint directory with a valid manifest is complete by definition. Its bytes are
 * {@link ManifestFormat}'s to write and read.
 */
public record Manifest(long checkpointId, boolean savepoint, long timestampMillis, int maxParallelism,
                       String planFingerprint, List<Entry> entries) {
    /** The manifest's name in its checkpoint's directory ({@link ManifestFormat#FILE_NAME}). */
    public static final String FILE_NAME = ManifestFormat.FILE_NAME;

    /**
     * POSITION: a source subtask's position; STATE_FILE: an operator subtask's state file; COMMITTABLE: a
     * two-phase-commit sink's staged output; FINISHED: the subtask had finished (its bytes hold the
     * operator's parallelism then, so a restore can tell an operator that finished everywhere);
     * OPERATOR_STATE: a few bytes of an operator subtask's state that is not keyed (a watermark).
     */
    public enum Kind { POSITION, STATE_FILE, COMMITTABLE, FINISHED, OPERATOR_STATE }

    /** One piece of state: {@code bytes} for positions, committables and finished marks, {@code file} and {@code size} for files. */
    public record Entry(Kind kind, int operator, int subtask, byte[] bytes, String file, long size) {
        public static Entry position(int operator, int subtask, byte[] bytes) {
            return new Entry(Kind.POSITION, operator, subtask, bytes, null, 0);
        }

        public static Entry committable(int operator, int subtask, byte[] bytes) {
            return new Entry(Kind.COMMITTABLE, operator, subtask, bytes, null, 0);
        }

        public static Entry stateFile(int operator, int subtask, String file, long size) {
            return new Entry(Kind.STATE_FILE, operator, subtask, null, file, size);
        }

        public static Entry operatorState(int operator, int subtask, byte[] bytes) {
            return new Entry(Kind.OPERATOR_STATE, operator, subtask, bytes, null, 0);
        }

        public static Entry finished(int operator, int subtask, int parallelism) {
            return new Entry(Kind.FINISHED, operator, subtask, ManifestFormat.finishedMark(parallelism), null, 0);
        }
    }

    /**
     * Whether every subtask of {@code operator} had finished: such an operator is restored finished (it
     * neither reads nor emits again, whatever the new parallelism); one that finished only in part is
     * restored as usual, its finished subtasks with their end positions and no state.
     */
    public boolean finishedEverywhere(int operator) {
        List<Entry> finished = of(Kind.FINISHED, operator);
        return !finished.isEmpty() && finished.size() == ManifestFormat.parallelismOf(finished.get(0).bytes);
    }

    /** The entries of {@code kind} for {@code operator}, in subtask order. */
    public List<Entry> of(Kind kind, int operator) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.kind == kind && e.operator == operator) {
                out.add(e);
            }
        }
        out.sort((a, b) -> Integer.compare(a.subtask, b.subtask));
        return out;
    }
}
