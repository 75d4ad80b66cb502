package io.riffle.engine.internal.operator;

/**
 * The layout of a session window's state file, one place for the writer ({@link SessionStateFile}) and the
 * reader ({@link SessionStateFile.Reader}) alike. Little-endian: a header of {@link #HEADER_BYTES}, then one
 * index entry of {@link #INDEX_ENTRY_BYTES} per key group that has sessions, then a CRC32C of header and
 * index; then the sections, each a key group's sessions, a key's together and oldest first: the key (int64,
 * or a utf8 length and bytes), {@link #SESSION_WORDS} words (first and last timestamp, whether it fired: kept
 * for allowed lateness), two accumulator words per aggregate (value, count), or with a user function instead the
 * fold's length and bytes ({@link ReducedRecords#encode}).
 */
final class SessionStateDescriptor {
    static final long MAGIC = 0x31304E5353464C52L; // "RLFSSN01"
    static final int VERSION = 2;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    /** 1 for utf8 keys, 0 for integer ones. */
    static final int UTF8_KEYS_OFFSET = 12;
    static final int AGGREGATES_OFFSET = 16;
    static final int MAX_PARALLELISM_OFFSET = 20;
    /** The writing subtask's key groups, first and end (exclusive). */
    static final int FIRST_KEY_GROUP_OFFSET = 24;
    static final int END_KEY_GROUP_OFFSET = 28;
    static final int WATERMARK_OFFSET = 32;
    static final int SECTIONS_OFFSET = 40;
    /** 1 when sessions hold a user function's fold instead of accumulators. */
    static final int FOLDS_OFFSET = 44;
    static final int HEADER_BYTES = 48;

    /** In an index entry: the key group, its sessions, its section's offset, bytes and CRC32C. */
    static final int ENTRY_KEY_GROUP_OFFSET = 0;
    static final int ENTRY_SESSIONS_OFFSET = 4;
    static final int ENTRY_SECTION_OFFSET = 8;
    static final int ENTRY_BYTES_OFFSET = 16;
    static final int ENTRY_CRC_OFFSET = 24;
    static final int INDEX_ENTRY_BYTES = 32;

    /** A session's words after its key: its first and last timestamp and whether it fired, then accumulators. */
    static final int FIRST_WORD = 0;
    static final int LAST_WORD = 1;
    static final int FIRED_WORD = 2;
    static final int SESSION_WORDS = 3;

    private SessionStateDescriptor() {
    }

    /** Where index entry {@code e} lies. */
    static int indexEntryOffset(int e) {
        return HEADER_BYTES + INDEX_ENTRY_BYTES * e;
    }

    /** The bytes of header, index of {@code sections} entries and their CRC: where the sections start. */
    static int indexBytes(int sections) {
        return indexEntryOffset(sections) + 8;
    }

    /** A session's words after its key, with {@code aggregates} accumulators. */
    static int wordsPerSession(int aggregates) {
        return SESSION_WORDS + 2 * aggregates;
    }
}
