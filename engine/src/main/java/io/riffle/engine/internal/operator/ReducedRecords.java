package io.riffle.engine.internal.operator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.BatchSchema;
import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.engine.Tuple;
import io.riffle.engine.internal.checkpoint.CorruptCheckpointException;

/**
 * The reduced record of each group of a keyed {@code reduce}, by group id, with the key group of its key.
 * Records live in pages of 4096 references; a snapshot shares the pages and a page is copied before its
 * first change after a snapshot, so taking one costs a copy of the page list, not of the records. Records
 * are immutable. Written to a checkpoint by key group, each section with a CRC32C.
 */
final class ReducedRecords {
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE = 1 << PAGE_SHIFT;
    private static final long MAGIC = 0x31304455444C4652L; // "RFLDUD01"

    private final List<Tuple[]> pages = new ArrayList<>();
    private final List<int[]> keyGroups = new ArrayList<>();
    /** Per page, the snapshot generation it was last copied in; a page older than {@link #generation} is shared. */
    private long[] pageGeneration = new long[16];
    private long generation;
    private int size;

    int size() {
        return size;
    }

    Tuple get(int group) {
        return pages.get(group >>> PAGE_SHIFT)[group & (PAGE - 1)];
    }

    /** The key group of group {@code group}'s key. */
    int keyGroup(int group) {
        return keyGroups.get(group >>> PAGE_SHIFT)[group & (PAGE - 1)];
    }

    /** Appends the record of group {@link #size()}, whose key is in {@code keyGroup}. */
    void add(Tuple record, int keyGroup) {
        int page = size >>> PAGE_SHIFT;
        if (page == pages.size()) {
            pages.add(new Tuple[PAGE]);
            keyGroups.add(new int[PAGE]);
            if (page == pageGeneration.length) {
                pageGeneration = Arrays.copyOf(pageGeneration, page * 2);
            }
            pageGeneration[page] = generation;
        }
        // Slots past a snapshot's size are not part of it, so appending needs no copy.
        pages.get(page)[size & (PAGE - 1)] = record;
        keyGroups.get(page)[size & (PAGE - 1)] = keyGroup;
        size++;
    }

    void set(int group, Tuple record) {
        int page = group >>> PAGE_SHIFT;
        if (pageGeneration[page] != generation) {
            pages.set(page, pages.get(page).clone());
            pageGeneration[page] = generation;
        }
        pages.get(page)[group & (PAGE - 1)] = record;
    }

    /** The records as they are now; later changes copy the pages they touch. */
    Snapshot snapshot() {
        generation++;
        return new Snapshot(pages.toArray(new Tuple[0][]), keyGroups.toArray(new int[0][]), size);
    }

    /** A frozen view of the records, written on the checkpoint thread. */
    record Snapshot(Tuple[][] pages, int[][] keyGroups, int size) {
        /** Group {@code group}'s record as it was when the snapshot was taken; any thread. */
        Tuple get(int group) {
            return pages[group >>> PAGE_SHIFT][group & (PAGE - 1)];
        }

        /** Writes the records by key group and syncs the file; returns its size. */
        long writeTo(Path file, BatchSchema schema, int maxParallelism) throws IOException {
            int[] counts = new int[maxParallelism];
            for (int g = 0; g < size; g++) {
                counts[keyGroups[g >>> PAGE_SHIFT][g & (PAGE - 1)]]++;
            }
            int[][] members = new int[maxParallelism][];
            for (int kg = 0; kg < maxParallelism; kg++) {
                members[kg] = new int[counts[kg]];
                counts[kg] = 0;
            }
            for (int g = 0; g < size; g++) {
                int kg = keyGroups[g >>> PAGE_SHIFT][g & (PAGE - 1)];
                members[kg][counts[kg]++] = g;
            }
            long written = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                written += write(ch, ByteBuffer.allocate(16).putLong(MAGIC).putInt(maxParallelism).putInt(size).flip());
                for (int kg = 0; kg < maxParallelism; kg++) {
                    if (members[kg].length == 0) {
                        continue;
                    }
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    DataOutputStream out = new DataOutputStream(bytes);
                    for (int g : members[kg]) {
                        writeTuple(out, pages[g >>> PAGE_SHIFT][g & (PAGE - 1)], schema);
                    }
                    out.flush();
                    byte[] body = bytes.toByteArray();
                    CRC32C crc = new CRC32C();
                    crc.update(body);
                    written += write(ch, ByteBuffer.allocate(24).putInt(kg).putInt(members[kg].length)
                            .putInt(body.length).putInt(0).putLong(crc.getValue()).flip());
                    written += write(ch, ByteBuffer.wrap(body));
                }
                ch.force(true);
            }
            return written;
        }

        private static long write(FileChannel ch, ByteBuffer buffer) throws IOException {
            long n = buffer.remaining();
            while (buffer.hasRemaining()) {
                ch.write(buffer);
            }
            return n;
        }
    }

    /**
     * Calls {@code restored} for every record of {@code keyGroups} in {@code file};
     * a short, damaged or foreign file is a {@link CorruptCheckpointException} naming it.
     */
    static void read(Path file, BatchSchema schema, KeyGroupRange keyGroups, Restored restored) throws IOException {
        byte[] data = StateFiles.readAll(file, "reduce state");
        ByteBuffer in = ByteBuffer.wrap(data);
        if (data.length < 16 || in.getLong() != MAGIC) {
            throw new CorruptCheckpointException(file + ": not a reduce operator's state");
        }
        in.getInt();
        in.getInt();
        while (in.hasRemaining()) {
            if (in.remaining() < 24) {
                throw new CorruptCheckpointException(file + ": truncated at byte " + in.position());
            }
            int kg = in.getInt();
            int count = in.getInt();
            int length = in.getInt();
            in.getInt();
            long crc = in.getLong();
            if (length < 0 || length > in.remaining()) {
                throw new CorruptCheckpointException(file + ": key group " + kg + " is truncated");
            }
            if (keyGroups.contains(kg)) {
                CRC32C check = new CRC32C();
                check.update(data, in.position(), length);
                if (check.getValue() != crc) {
                    throw new CorruptCheckpointException(file + ": key group " + kg + " fails its checksum");
                }
                DataInputStream section = new DataInputStream(new ByteArrayInputStream(data, in.position(), length));
                for (int i = 0; i < count; i++) {
                    restored.accept(readTuple(section, schema), kg);
                }
            }
            in.position(in.position() + length);
        }
    }

    /** Takes up one restored record and its key group. */
    interface Restored {
        void accept(Tuple record, int keyGroup);
    }

    /** {@code t}'s fields of {@code schema} as bytes, as the state files hold them. */
    static byte[] encode(Tuple t, BatchSchema schema) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        writeTuple(out, t, schema);
        out.flush();
        return bytes.toByteArray();
    }

    /** The record {@link #encode} made of {@code bytes}. */
    static Tuple decode(byte[] bytes, BatchSchema schema) throws IOException {
        return readTuple(new DataInputStream(new ByteArrayInputStream(bytes)), schema);
    }

    private static void writeTuple(DataOutputStream out, Tuple t, BatchSchema schema) throws IOException {
        for (int c = 0; c < schema.columnCount(); c++) {
            Object v = t.field(c);
            out.writeBoolean(v != null);
            if (v == null) {
                continue;
            }
            ColumnType type = schema.column(c).type();
            switch (type) {
                case INT32 -> out.writeInt(((Number) v).intValue());
                case INT64 -> out.writeLong(((Number) v).longValue());
                case FLOAT64 -> out.writeDouble(((Number) v).doubleValue());
                case BOOL -> out.writeBoolean((Boolean) v);
                case TIMESTAMP_MS -> out.writeLong(v instanceof Instant i ? i.toEpochMilli() : ((Number) v).longValue());
                case UTF8 -> {
                    byte[] bytes = v.toString().getBytes(StandardCharsets.UTF_8);
                    out.writeInt(bytes.length);
                    out.write(bytes);
                }
                case BINARY -> {
                    byte[] bytes = (byte[]) v;
                    out.writeInt(bytes.length);
                    out.write(bytes);
                }
                default -> throw new IllegalStateException("unknown type " + type);
            }
        }
    }

    private static Tuple readTuple(DataInputStream in, BatchSchema schema) throws IOException {
        Object[] fields = new Object[schema.columnCount()];
        for (int c = 0; c < fields.length; c++) {
            if (!in.readBoolean()) {
                continue;
            }
            fields[c] = switch (schema.column(c).type()) {
                case INT32 -> in.readInt();
                case INT64 -> in.readLong();
                case FLOAT64 -> in.readDouble();
                case BOOL -> in.readBoolean();
                case TIMESTAMP_MS -> Instant.ofEpochMilli(in.readLong());
                case UTF8 -> {
                    byte[] bytes = new byte[in.readInt()];
                    in.readFully(bytes);
                    yield new String(bytes, StandardCharsets.UTF_8);
                }
                case BINARY -> {
                    byte[] bytes = new byte[in.readInt()];
                    in.readFully(bytes);
                    yield bytes;
                }
            };
        }
        return Tuple.of(fields);
    }
}
