package io.riffle.engine.internal.operator;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.batch.RecordBatch;
import io.riffle.columnar.hash.StateFileReader;
import io.riffle.columnar.hash.TableSnapshot;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.operator.SessionRecord.KeyEntry;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarCharVector;
import org.jspecify.annotations.Nullable;

/**
 * A session window subtask's checkpoint: written by the checkpoint thread from frozen pages, read back by key
 * group, in the layout {@link SessionStateDescriptor} describes. On restore, sections are read by position into
 * memory of their own ({@link StateFileReader}) and checked one at a time. The snapshot's memory is let go once
 * it is closed and no writer is inside.
 */
final class SessionStateFile implements OperatorSnapshot {
    private static final int BUFFER_BYTES = 1 << 20;

    /**
     * What a state file records besides the sessions: the key type, the number of aggregates or the fold's schema,
     * the writing subtask's key groups and its watermark.
     */
    record Settings(ColumnType keyType, int aggregates, @Nullable BatchSchema foldSchema, KeyGroupRange keyGroups,
                    long watermark) {
    }

    private final Settings settings;
    private final TableSnapshot keys;
    private final PagedRecords.Frozen heads;
    private final PagedRecords.Frozen sessions;
    /** With a user function: each session's fold; otherwise null. */
    private final ReducedRecords.@Nullable Snapshot folds;
    /** The snapshot until closed, plus a running write; whoever drops it to zero lets the memory go. */
    private final AtomicInteger users = new AtomicInteger(1);
    private boolean closed;

    SessionStateFile(Settings settings, TableSnapshot keys, PagedRecords.Frozen heads, PagedRecords.Frozen sessions,
                     ReducedRecords.@Nullable Snapshot folds) {
        this.settings = settings;
        this.keys = keys;
        this.heads = heads;
        this.sessions = sessions;
        this.folds = folds;
    }

    @Override
    public long writeTo(Path file) throws IOException {
        for (int u = users.get(); ; u = users.get()) {
            if (u == 0) {
                throw new IOException("the session window snapshot was closed (its checkpoint aborted)");
            }
            if (users.compareAndSet(u, u + 1)) {
                break;
            }
        }
        try {
            return write(file);
        } finally {
            leave();
        }
    }

    private long write(Path file) throws IOException {
        int maxParallelism = settings.keyGroups().maxParallelism();
        boolean utf8 = settings.keyType() == ColumnType.UTF8;
        int keyCount = keys.groupCount();
        int[] keyGroupOf = new int[keyCount];
        int[] sectionSessions = new int[maxParallelism];
        int[] keysIn = new int[maxParallelism + 1];
        for (int k = 0; k < keyCount; k++) {
            int head = KeyEntry.head(heads.address(k));
            if (head == SessionRecord.NONE) {
                keyGroupOf[k] = -1;
                continue;
            }
            int group = KeyGroups.keyGroup(keys.hash(k), maxParallelism);
            keyGroupOf[k] = group;
            keysIn[group + 1]++;
            for (int s = head; s != SessionRecord.NONE; s = SessionRecord.next(sessions.address(s))) {
                sectionSessions[group]++;
            }
        }
        int sections = 0;
        for (int g = 0; g < maxParallelism; g++) {
            keysIn[g + 1] += keysIn[g];
            if (sectionSessions[g] > 0) {
                sections++;
            }
        }
        int[] ordered = new int[keysIn[maxParallelism]];
        int[] next = keysIn.clone();
        for (int k = 0; k < keyCount; k++) {
            if (keyGroupOf[k] >= 0) {
                ordered[next[keyGroupOf[k]]++] = k;
            }
        }
        int dataStart = SessionStateDescriptor.indexBytes(sections);
        ByteBuffer index = ByteBuffer.allocate(dataStart).order(ByteOrder.LITTLE_ENDIAN);
        index.putLong(SessionStateDescriptor.MAGIC_OFFSET, SessionStateDescriptor.MAGIC)
                .putInt(SessionStateDescriptor.VERSION_OFFSET, SessionStateDescriptor.VERSION)
                .putInt(SessionStateDescriptor.UTF8_KEYS_OFFSET, utf8 ? 1 : 0)
                .putInt(SessionStateDescriptor.AGGREGATES_OFFSET, settings.aggregates())
                .putInt(SessionStateDescriptor.MAX_PARALLELISM_OFFSET, maxParallelism)
                .putInt(SessionStateDescriptor.FIRST_KEY_GROUP_OFFSET, settings.keyGroups().first())
                .putInt(SessionStateDescriptor.END_KEY_GROUP_OFFSET, settings.keyGroups().endExclusive())
                .putLong(SessionStateDescriptor.WATERMARK_OFFSET, settings.watermark())
                .putInt(SessionStateDescriptor.SECTIONS_OFFSET, sections)
                .putInt(SessionStateDescriptor.FOLDS_OFFSET, folds != null ? 1 : 0);
        int accumulatorWords = 2 * settings.aggregates();
        int words = SessionStateDescriptor.wordsPerSession(settings.aggregates());
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long bufferAddress = MemoryUtil.getByteBufferAddress(buffer);
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.position(dataStart);
            long offset = dataStart;
            int entry = 0;
            for (int g = 0; g < maxParallelism; g++) {
                if (sectionSessions[g] == 0) {
                    continue;
                }
                crc.reset();
                long sectionStart = offset;
                for (int o = keysIn[g]; o < keysIn[g + 1]; o++) {
                    int k = ordered[o];
                    int keyBytes = utf8 ? 4 + keys.utf8KeyLength(k) : 8;
                    for (int s = KeyEntry.head(heads.address(k)); s != SessionRecord.NONE;
                         s = SessionRecord.next(sessions.address(s))) {
                        byte[] folded = folds == null ? null : ReducedRecords.encode(folds.get(s), settings.foldSchema());
                        int bytes = keyBytes + 8 * words + (folded == null ? 0 : 4 + folded.length);
                        if (buffer.remaining() < bytes) {
                            offset += flush(ch, buffer, crc);
                            if (buffer.capacity() < bytes) {
                                buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
                                bufferAddress = MemoryUtil.getByteBufferAddress(buffer);
                            }
                        }
                        if (utf8) {
                            buffer.putInt(keyBytes - 4);
                            keys.copyUtf8Key(k, bufferAddress + buffer.position());
                            buffer.position(buffer.position() + keyBytes - 4);
                        } else {
                            buffer.putLong(keys.longKey(k));
                        }
                        // The session's words in the descriptor's order: first, last, fired, then accumulators.
                        long at = sessions.address(s);
                        buffer.putLong(SessionRecord.first(at));
                        buffer.putLong(SessionRecord.last(at));
                        buffer.putLong(SessionRecord.flags(at) & SessionRecord.FIRED);
                        for (int w = 0; w < accumulatorWords; w++) {
                            buffer.putLong(SessionRecord.accumulatorWord(at, w));
                        }
                        if (folded != null) {
                            buffer.putInt(folded.length).put(folded);
                        }
                    }
                }
                offset += flush(ch, buffer, crc);
                int at = SessionStateDescriptor.indexEntryOffset(entry++);
                index.putInt(at + SessionStateDescriptor.ENTRY_KEY_GROUP_OFFSET, g)
                        .putInt(at + SessionStateDescriptor.ENTRY_SESSIONS_OFFSET, sectionSessions[g])
                        .putLong(at + SessionStateDescriptor.ENTRY_SECTION_OFFSET, sectionStart)
                        .putLong(at + SessionStateDescriptor.ENTRY_BYTES_OFFSET, offset - sectionStart)
                        .putLong(at + SessionStateDescriptor.ENTRY_CRC_OFFSET, crc.getValue());
            }
            CRC32C headerCrc = new CRC32C();
            headerCrc.update(index.array(), 0, dataStart - 8);
            index.putLong(dataStart - 8, headerCrc.getValue());
            ch.position(0);
            while (index.hasRemaining()) {
                ch.write(index);
            }
            ch.force(true);
            return offset;
        }
    }

    /** Writes out what the buffer holds, adding it to {@code crc}; returns the bytes written. */
    private static int flush(FileChannel ch, ByteBuffer buffer, CRC32C crc) throws IOException {
        buffer.flip();
        int bytes = buffer.remaining();
        crc.update(buffer.duplicate());
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
        buffer.clear();
        return bytes;
    }

    private void leave() {
        if (users.decrementAndGet() == 0) {
            keys.close();
            heads.close();
            sessions.close();
        }
    }

    /** Once, from any thread, written or not. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            leave();
        }
    }

    /** Reads the sessions of a range of key groups out of state files, into a {@link KeyedSessions}. */
    static final class Reader {
        private final BatchSchema inputSchema;
        private final int keyField;
        private final ColumnType keyType;
        private final int aggregates;
        private final @Nullable BatchSchema foldSchema;
        private final BufferAllocator allocator;

        Reader(BatchSchema inputSchema, int keyField, int aggregates, @Nullable BatchSchema foldSchema,
               BufferAllocator allocator) {
            this.inputSchema = inputSchema;
            this.keyField = keyField;
            this.keyType = inputSchema.column(keyField).type();
            this.aggregates = aggregates;
            this.foldSchema = foldSchema;
            this.allocator = allocator;
        }

        /**
         * Restores the sessions of key groups {@code range} from {@code file} into {@code target}; returns the
         * old subtask's watermark, or {@code Long.MAX_VALUE} when its key groups and the range do not meet. A
         * damaged file is a {@link CorruptCheckpointException} naming it.
         */
        long read(Path file, KeyGroupRange range, KeyedSessions target) throws IOException {
            try (StateFileReader in = StateFileReader.open(file, "session window state file")) {
                long size = in.size();
                ByteBuffer header = readFully(in, 0, SessionStateDescriptor.HEADER_BYTES, size, file);
                if (header.getLong(SessionStateDescriptor.MAGIC_OFFSET) != SessionStateDescriptor.MAGIC
                        || header.getInt(SessionStateDescriptor.VERSION_OFFSET) != SessionStateDescriptor.VERSION) {
                    throw new CorruptCheckpointException(file + ": not a session window's state");
                }
                int sections = header.getInt(SessionStateDescriptor.SECTIONS_OFFSET);
                if (sections < 0 || sections > KeyGroups.MAX_KEY_GROUPS) {
                    throw new CorruptCheckpointException(file + ": session state claims " + sections + " key groups");
                }
                ByteBuffer index = readFully(in, 0, SessionStateDescriptor.indexBytes(sections), size, file);
                CRC32C crc = new CRC32C();
                crc.update(index.array(), 0, index.limit() - 8);
                if (index.getLong(index.limit() - 8) != crc.getValue()) {
                    throw new CorruptCheckpointException(file + ": the session state's index fails its checksum");
                }
                boolean utf8 = header.getInt(SessionStateDescriptor.UTF8_KEYS_OFFSET) == 1;
                int fileAggregates = header.getInt(SessionStateDescriptor.AGGREGATES_OFFSET);
                int fileMaxParallelism = header.getInt(SessionStateDescriptor.MAX_PARALLELISM_OFFSET);
                boolean fileFolds = header.getInt(SessionStateDescriptor.FOLDS_OFFSET) == 1;
                if (utf8 != (keyType == ColumnType.UTF8) || fileAggregates != aggregates
                        || fileMaxParallelism != range.maxParallelism() || fileFolds != (foldSchema != null)) {
                    throw new CorruptCheckpointException(file + ": session state written for another key type, "
                            + "aggregates, function or max parallelism (" + fileAggregates + " aggregates, max "
                            + "parallelism " + fileMaxParallelism + ")");
                }
                int oldFirst = header.getInt(SessionStateDescriptor.FIRST_KEY_GROUP_OFFSET);
                int oldEnd = header.getInt(SessionStateDescriptor.END_KEY_GROUP_OFFSET);
                long fileWatermark = header.getLong(SessionStateDescriptor.WATERMARK_OFFSET);
                if (Math.max(range.first(), oldFirst) >= Math.min(range.endExclusive(), oldEnd)) {
                    return Long.MAX_VALUE;
                }
                for (int e = 0; e < sections; e++) {
                    int at = SessionStateDescriptor.indexEntryOffset(e);
                    int group = index.getInt(at + SessionStateDescriptor.ENTRY_KEY_GROUP_OFFSET);
                    if (!range.contains(group)) {
                        continue;
                    }
                    readSection(in, file, size, group, index.getInt(at + SessionStateDescriptor.ENTRY_SESSIONS_OFFSET),
                            index.getLong(at + SessionStateDescriptor.ENTRY_SECTION_OFFSET),
                            index.getLong(at + SessionStateDescriptor.ENTRY_BYTES_OFFSET),
                            index.getLong(at + SessionStateDescriptor.ENTRY_CRC_OFFSET), target);
                }
                return fileWatermark;
            } catch (NoSuchFileException e) {
                throw new CorruptCheckpointException(file + ": the session window state file is missing");
            }
        }

        /**
         * Reads a key group's section by position into memory of its own, checks it, and restores its
         * sessions: a file truncated meanwhile is a corrupt checkpoint naming it, never a fault on a mapping.
         */
        private void readSection(StateFileReader in, Path file, long size, int group, int count, long offset,
                                 long bytes, long checksum, KeyedSessions target) throws IOException {
            if (offset < 0 || bytes < 0 || offset + bytes > size || count < 0) {
                throw new CorruptCheckpointException(file + ": key group " + group + " lies outside the file ("
                        + size + " bytes): truncated");
            }
            if (bytes > Integer.MAX_VALUE) {
                throw new CorruptCheckpointException(file + ": key group " + group + " claims " + bytes
                        + " bytes, more than a section holds");
            }
            try (ArrowBuf memory = allocator.buffer(Math.max(bytes, 1))) {
                CRC32C crc = new CRC32C();
                in.read(offset, memory.memoryAddress(), bytes, crc);
                if (crc.getValue() != checksum) {
                    throw new CorruptCheckpointException(file + ": key group " + group + " fails its checksum");
                }
                restoreSessions(memory.nioBuffer(0, (int) bytes).order(ByteOrder.LITTLE_ENDIAN), file, group, count,
                        target);
            }
        }

        private void restoreSessions(ByteBuffer section, Path file, int group, int count, KeyedSessions target)
                throws IOException {
            int words = SessionStateDescriptor.wordsPerSession(aggregates);
            long[] values = new long[count * words];
            Tuple[] folded = foldSchema != null ? new Tuple[count] : null;
            try (RecordBatch keyBatch = RecordBatch.allocate(inputSchema, allocator, count)) {
                FieldVector keyVector = keyBatch.vector(keyField);
                try {
                    for (int i = 0; i < count; i++) {
                        readKey(section, keyVector, i);
                        for (int w = 0; w < words; w++) {
                            values[i * words + w] = section.getLong();
                        }
                        if (folded != null) {
                            byte[] encoded = new byte[section.getInt()];
                            section.get(encoded);
                            folded[i] = ReducedRecords.decode(encoded, foldSchema);
                        }
                    }
                } catch (RuntimeException | IOException e) {
                    throw new CorruptCheckpointException(file + ": key group " + group + " does not hold the "
                            + count + " sessions it claims", e);
                }
                keyBatch.setRowCount(count);
                target.append(keyBatch, values, folded);
            }
        }

        private void readKey(ByteBuffer in, FieldVector out, int row) {
            switch (keyType) {
                case UTF8: {
                    int length = in.getInt();
                    byte[] bytes = new byte[length];
                    in.get(bytes);
                    ((VarCharVector) out).setSafe(row, bytes);
                    break;
                }
                case INT32:
                    ((IntVector) out).set(row, (int) in.getLong());
                    break;
                case TIMESTAMP_MS:
                    ((TimeStampMilliVector) out).set(row, in.getLong());
                    break;
                default:
                    ((BigIntVector) out).set(row, in.getLong());
                    break;
            }
        }

        private static ByteBuffer readFully(StateFileReader in, long position, int bytes, long size, Path file)
                throws IOException {
            if (position + bytes > size) {
                throw new CorruptCheckpointException(file + ": truncated session state (" + size + " bytes)");
            }
            return in.read(position, bytes);
        }
    }
}
