package io.riffle.engine.internal.operator;

import io.riffle.columnar.hash.Accumulator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The layout of a session record in {@link SessionWindowOperator}'s pages, one place for its offsets: the
 * session's first and last timestamp, the next and previous session of its key (in time order, or
 * {@link #NONE}), its key id ({@link #FREE} once freed or merged away; a free record's next is the next free
 * one, a merged-away one's the session it merged into), the generation that tells its current end-heap entry
 * from stale ones, its flags, then an {@link Accumulator} per aggregate. Static accessors over a record's
 * address, as Agrona's descriptors have, so that reading a record allocates nothing.
 */
final class SessionRecord {
    private static final int FIRST = 0;
    private static final int LAST = 8;
    private static final int NEXT = 16;
    private static final int KEY = 20;
    private static final int GENERATION = 24;
    private static final int PREVIOUS = 28;
    private static final int FLAGS = 32;
    private static final int ACCUMULATORS = 40;

    /** Flag: emitted, and kept for the allowed lateness. */
    static final int FIRED = 1;
    /** Flag: updated by the batch being processed after it fired, to emit again after the batch. */
    static final int TOUCHED = 2;
    /** The key id of a free or merged-away record. */
    static final int FREE = -1;
    /** No session: the end of a key's list. */
    static final int NONE = -1;

    private SessionRecord() {
    }

    /** The bytes of a record with {@code aggregates} accumulators. */
    static int bytes(int aggregates) {
        return ACCUMULATORS + Accumulator.BYTES * aggregates;
    }

    /** Where aggregate {@code a}'s accumulator lies in a record. */
    static int accumulatorOffset(int a) {
        return ACCUMULATORS + Accumulator.BYTES * a;
    }

    /** Accumulator word {@code w} (a value, then a count, per aggregate) of the record at {@code at}. */
    static long accumulatorWord(long at, int w) {
        return MemoryUtil.getLong(at + ACCUMULATORS + 8L * w);
    }

    static void accumulatorWord(long at, int w, long value) {
        MemoryUtil.putLong(at + ACCUMULATORS + 8L * w, value);
    }

    static long first(long at) {
        return MemoryUtil.getLong(at + FIRST);
    }

    static void first(long at, long t) {
        MemoryUtil.putLong(at + FIRST, t);
    }

    static long last(long at) {
        return MemoryUtil.getLong(at + LAST);
    }

    static void last(long at, long t) {
        MemoryUtil.putLong(at + LAST, t);
    }

    static int next(long at) {
        return MemoryUtil.getInt(at + NEXT);
    }

    static void next(long at, int session) {
        MemoryUtil.putInt(at + NEXT, session);
    }

    static int previous(long at) {
        return MemoryUtil.getInt(at + PREVIOUS);
    }

    static void previous(long at, int session) {
        MemoryUtil.putInt(at + PREVIOUS, session);
    }

    static int key(long at) {
        return MemoryUtil.getInt(at + KEY);
    }

    static void key(long at, int key) {
        MemoryUtil.putInt(at + KEY, key);
    }

    static int generation(long at) {
        return MemoryUtil.getInt(at + GENERATION);
    }

    static void generation(long at, int generation) {
        MemoryUtil.putInt(at + GENERATION, generation);
    }

    static int flags(long at) {
        return MemoryUtil.getInt(at + FLAGS);
    }

    static void flags(long at, int flags) {
        MemoryUtil.putInt(at + FLAGS, flags);
    }

    static boolean fired(long at) {
        return (flags(at) & FIRED) != 0;
    }

    /**
     * The layout of a key's entry in its own pages: the key's first and last session ({@link #NONE} when it has
     * none; new pages are filled with 0xFF bytes, which reads as that).
     */
    static final class KeyEntry {
        static final int BYTES = 8;
        /** The byte every word of a new page starts as: a key with no sessions. */
        static final byte EMPTY_FILL = (byte) 0xFF;
        private static final int HEAD = 0;
        private static final int TAIL = 4;

        private KeyEntry() {
        }

        static int head(long entry) {
            return MemoryUtil.getInt(entry + HEAD);
        }

        static void head(long entry, int session) {
            MemoryUtil.putInt(entry + HEAD, session);
        }

        static int tail(long entry) {
            return MemoryUtil.getInt(entry + TAIL);
        }

        static void tail(long entry, int session) {
            MemoryUtil.putInt(entry + TAIL, session);
        }
    }
}
