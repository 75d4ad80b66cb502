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
import io.riffle.columnar.kernel.KeyGroups;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;
import io.riffle.engine.internal.runtime.OperatorSnapshot;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMilliVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * A session window subtask's checkpoint: written by the checkpoint thread from frozen pages, read back by key
 * group. Layout (little-endian): a header (magic, version, key kind, aggregates, max parallelism, the
 * subtask's key groups, watermark, section count), one index entry per key group that has sessions (key
 * group, sessions, offset, bytes, CRC32C of the section), a CRC32C of header and index; then the sections,
 * each the key group's sessions, a key's together and oldest first: the key (int64, or utf8 length and
 * bytes), first and last timestamp, whether it fired (kept for allowed lateness), then a value and a count
 * per aggregate, or with a user function the fold's length and bytes ({@link ReducedRecords#encode}). On
 * restore, sections are read by position into memory of their own ({@link StateFileReader}) and checked one
 * at a time. The snapshot's memory is let go once it is closed and no writer is inside.
 */
final class SessionStateFile implements OperatorSnapshot {
    private static final long MAGIC = 0x31304E5353464C52L; // "RLFSSN01"
    private static final int VERSION = 2;
    private static final int HEADER_BYTES = 48;
    private static final int INDEX_ENTRY_BYTES = 32;
    private static final int BUFFER_BYTES = 1 << 20;

    private final TableSnapshot keys;
    private final PagedRecords.Frozen heads;
    private final PagedRecords.Frozen sessions;
    /** With a user function: each session's fold, and its schema; otherwise null. */
    private final ReducedRecords.Snapshot folds;
    private final BatchSchema foldSchema;
    private final boolean utf8;
    private final int aggregates;
    private final int maxParallelism;
    private final int firstKeyGroup;
    private final int lastKeyGroupExclusive;
    private final long watermark;
    /** The snapshot until closed, plus a running write; whoever drops it to zero lets the memory go. */
    private final AtomicInteger users = new AtomicInteger(1);
    private boolean closed;

    SessionStateFile(TableSnapshot keys, PagedRecords.Frozen heads, PagedRecords.Frozen sessions,
                     ReducedRecords.Snapshot folds, BatchSchema foldSchema, ColumnType keyType, int aggregates,
                     int maxParallelism, int firstKeyGroup, int lastKeyGroupExclusive, long watermark) {
        this.keys = keys;
        this.heads = heads;
        this.sessions = sessions;
        this.folds = folds;
        this.foldSchema = foldSchema;
        this.utf8 = keyType == ColumnType.UTF8;
        this.aggregates = aggregates;
        this.maxParallelism = maxParallelism;
        this.firstKeyGroup = firstKeyGroup;
        this.lastKeyGroupExclusive = lastKeyGroupExclusive;
        this.watermark = watermark;
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
        int keyCount = keys.groupCount();
        int[] keyGroupOf = new int[keyCount];
        int[] sectionSessions = new int[maxParallelism];
        int[] keysIn = new int[maxParallelism + 1];
        for (int k = 0; k < keyCount; k++) {
            int head = MemoryUtil.getInt(heads.address(k) + SessionWindowOperator.HEAD);
            if (head < 0) {
                keyGroupOf[k] = -1;
                continue;
            }
            int group = KeyGroups.keyGroup(keys.hash(k), maxParallelism);
            keyGroupOf[k] = group;
            keysIn[group + 1]++;
            for (int s = head; s >= 0; s = MemoryUtil.getInt(sessions.address(s) + SessionWindowOperator.NEXT)) {
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
        long dataStart = HEADER_BYTES + (long) INDEX_ENTRY_BYTES * sections + 8;
        ByteBuffer index = ByteBuffer.allocate((int) dataStart).order(ByteOrder.LITTLE_ENDIAN);
        index.putLong(MAGIC).putInt(VERSION).putInt(utf8 ? 1 : 0).putInt(aggregates).putInt(maxParallelism)
                .putInt(firstKeyGroup).putInt(lastKeyGroupExclusive).putLong(watermark).putInt(sections).putInt(folds != null ? 1 : 0);
        int words = 3 + 2 * aggregates;
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long bufferAddress = MemoryUtil.getByteBufferAddress(buffer);
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.position(dataStart);
            long offset = dataStart;
            for (int g = 0; g < maxParallelism; g++) {
                if (sectionSessions[g] == 0) {
                    continue;
                }
                crc.reset();
                long sectionStart = offset;
                for (int o = keysIn[g]; o < keysIn[g + 1]; o++) {
                    int k = ordered[o];
                    int keyBytes = utf8 ? 4 + keys.utf8KeyLength(k) : 8;
                    for (int s = MemoryUtil.getInt(heads.address(k) + SessionWindowOperator.HEAD); s >= 0;
                         s = MemoryUtil.getInt(sessions.address(s) + SessionWindowOperator.NEXT)) {
                        byte[] folded = folds == null ? null : ReducedRecords.encode(folds.get(s), foldSchema);
                        int entry = keyBytes + 8 * words + (folded == null ? 0 : 4 + folded.length);
                        if (buffer.remaining() < entry) {
                            offset += flush(ch, buffer, crc);
                            if (buffer.capacity() < entry) {
                                buffer = ByteBuffer.allocateDirect(entry).order(ByteOrder.LITTLE_ENDIAN);
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
                        long at = sessions.address(s);
                        buffer.putLong(MemoryUtil.getLong(at + SessionWindowOperator.FIRST));
                        buffer.putLong(MemoryUtil.getLong(at + SessionWindowOperator.LAST));
                        buffer.putLong(MemoryUtil.getInt(at + SessionWindowOperator.FLAGS) & SessionWindowOperator.FIRED);
                        for (int w = 0; w < 2 * aggregates; w++) {
                            buffer.putLong(MemoryUtil.getLong(at + SessionWindowOperator.ACCUMULATORS + 8L * w));
                        }
                        if (folded != null) {
                            buffer.putInt(folded.length).put(folded);
                        }
                    }
                }
                offset += flush(ch, buffer, crc);
                index.putInt(g).putInt(sectionSessions[g]).putLong(sectionStart).putLong(offset - sectionStart)
                        .putLong(crc.getValue());
            }
            CRC32C headerCrc = new CRC32C();
            headerCrc.update(index.array(), 0, index.position());
            index.putLong(headerCrc.getValue());
            index.flip();
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

    /** Reads the sessions of a range of key groups out of state files, into a {@link SessionWindowOperator}. */
    static final class Reader {
        private final BatchSchema inputSchema;
        private final int keyField;
        private final ColumnType keyType;
        private final int aggregates;
        private final BatchSchema foldSchema;
        private final int maxParallelism;
        private final BufferAllocator allocator;

        Reader(BatchSchema inputSchema, int keyField, int aggregates, BatchSchema foldSchema, int maxParallelism,
               BufferAllocator allocator) {
            this.inputSchema = inputSchema;
            this.keyField = keyField;
            this.keyType = inputSchema.column(keyField).type();
            this.aggregates = aggregates;
            this.foldSchema = foldSchema;
            this.maxParallelism = maxParallelism;
            this.allocator = allocator;
        }

        /**
         * Restores the sessions of key groups {@code [first, lastExclusive)} from {@code file} into
         * {@code operator}; returns the old subtask's watermark, or {@code Long.MAX_VALUE} when its key
         * groups and the range do not meet. A damaged file is a {@link CorruptCheckpointException} naming it.
         */
        long read(Path file, int first, int lastExclusive, SessionWindowOperator operator) throws IOException {
            try (StateFileReader in = StateFileReader.open(file, "session window state file")) {
                long size = in.size();
                ByteBuffer header = readFully(in, 0, HEADER_BYTES, size, file);
                if (header.getLong(0) != MAGIC || header.getInt(8) != VERSION) {
                    throw new CorruptCheckpointException(file + ": not a session window's state");
                }
                int sections = header.getInt(40);
                if (sections < 0 || sections > KeyGroups.MAX_KEY_GROUPS) {
                    throw new CorruptCheckpointException(file + ": session state claims " + sections + " key groups");
                }
                ByteBuffer index = readFully(in, 0, HEADER_BYTES + INDEX_ENTRY_BYTES * sections + 8, size, file);
                CRC32C crc = new CRC32C();
                crc.update(index.array(), 0, index.limit() - 8);
                if (index.getLong(index.limit() - 8) != crc.getValue()) {
                    throw new CorruptCheckpointException(file + ": the session state's index fails its checksum");
                }
                boolean utf8 = header.getInt(12) == 1;
                if (utf8 != (keyType == ColumnType.UTF8) || header.getInt(16) != aggregates
                        || header.getInt(20) != maxParallelism || (header.getInt(44) == 1) != (foldSchema != null)) {
                    throw new CorruptCheckpointException(file + ": session state written for another key type, "
                            + "aggregates, function or max parallelism (" + header.getInt(16) + " aggregates, max "
                            + "parallelism " + header.getInt(20) + ")");
                }
                int oldFirst = header.getInt(24);
                int oldLast = header.getInt(28);
                long fileWatermark = header.getLong(32);
                if (Math.max(first, oldFirst) >= Math.min(lastExclusive, oldLast)) {
                    return Long.MAX_VALUE;
                }
                for (int e = 0; e < sections; e++) {
                    int at = HEADER_BYTES + INDEX_ENTRY_BYTES * e;
                    int group = index.getInt(at);
                    if (group < first || group >= lastExclusive) {
                        continue;
                    }
                    readSection(in, file, size, group, index.getInt(at + 4), index.getLong(at + 8),
                            index.getLong(at + 16), index.getLong(at + 24), operator);
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
                                 long bytes, long checksum, SessionWindowOperator operator) throws IOException {
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
                        operator);
            }
        }

        private void restoreSessions(ByteBuffer section, Path file, int group, int count,
                                     SessionWindowOperator operator) throws IOException {
            int words = 3 + 2 * aggregates;
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
                operator.restoreSessions(keyBatch, values, folded);
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
