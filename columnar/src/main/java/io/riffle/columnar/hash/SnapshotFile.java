package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.KeyGroupRange;
import io.riffle.columnar.kernel.KeyGroups;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The snapshot file format ({@code docs/hash-table-layout.md}, "Snapshot files"): where each part lies, the
 * metadata {@link TableSnapshot#writeTo} writes, and a reader that checks a file and reads one key group's
 * section at a time by position into the restored table, for {@link OffHeapHashTable#restore}. Restore never
 * maps a file: another process can shrink a file under its mapping (see {@link StateFileReader}).
 * Single-threaded.
 */
final class SnapshotFile {
    static final long MAGIC = 0x31304E53454C4652L; // "RFLESN01" read as a little-endian long
    static final long TRAILER_MAGIC = 0x444E4553454C4652L; // "RFLESEND"
    static final int VERSION = 1;
    static final int H_MAGIC = 0;
    static final int H_VERSION = 8;
    static final int H_KEY_TYPE = 12;
    static final int H_KEY_FIELD = 16;
    static final int H_AGGREGATES = 20;
    static final int H_ACC_COLUMNS = 24;
    static final int H_MAX_PARALLELISM = 28;
    static final int H_GROUP_COUNT = 32;
    static final int H_FILE_BYTES = 40;
    static final int HEADER_FIXED_BYTES = 64;
    static final int INDEX_ENTRY_BYTES = 16;
    static final int TRAILER_BYTES = 16;
    /** Sanity bound on the aggregate count read from a header, before its checksum is known to be good. */
    private static final int MAX_AGGREGATES = 1 << 16;

    private final StateFileReader in;
    /** Header, index, key group checksums and the metadata checksum, as read and checked. */
    private final ByteBuffer metadata;
    private final boolean utf8;
    private final int columns;
    private final int maxParallelism;
    private final int index;
    private final int checksums;

    private SnapshotFile(StateFileReader in, ByteBuffer metadata, GroupBySpec spec, int maxParallelism)
            throws IOException {
        this.in = in;
        this.metadata = metadata;
        this.utf8 = spec.keyType == ColumnType.UTF8;
        this.columns = spec.accumulatorColumnCount();
        this.maxParallelism = maxParallelism;
        int aggregates = metadata.getInt(H_AGGREGATES);
        int fileMaxParallelism = metadata.getInt(H_MAX_PARALLELISM);
        this.index = (int) indexOffset(aggregates);
        this.checksums = (int) checksumsOffset(aggregates, fileMaxParallelism);
        check(spec);
    }

    // ---- layout ------------------------------------------------------------------------------------

    static long indexOffset(int aggregates) {
        return HEADER_FIXED_BYTES + (long) OffHeapHashTable.DESCRIPTOR_BYTES * aggregates;
    }

    static long checksumsOffset(int aggregates, int maxParallelism) {
        return indexOffset(aggregates) + (long) INDEX_ENTRY_BYTES * (maxParallelism + 1);
    }

    /** Where the CRC32C of everything before it (header, index, key group checksums) lies. */
    static long metadataChecksumOffset(int aggregates, int maxParallelism) {
        return align8(checksumsOffset(aggregates, maxParallelism) + 4L * maxParallelism);
    }

    static long sectionsOffset(int aggregates, int maxParallelism) {
        return metadataChecksumOffset(aggregates, maxParallelism) + 8;
    }

    /**
     * Bytes of a key group's section of {@code groups} groups: hashes, keys (utf8: lengths and bytes, after
     * the accumulators), {@code columns} accumulator columns; every part 8-byte aligned.
     */
    static long sectionBytes(boolean utf8, int columns, long groups, long keyBytes) {
        return utf8 ? 8 * groups * (1 + columns) + align8(4 * groups) + align8(keyBytes)
                : 8 * groups * (2 + columns);
    }

    static long align8(long bytes) {
        return (bytes + 7) & ~7L;
    }

    /**
     * Writes header, index, key group checksums, the metadata checksum and the trailer around sections
     * already written: key group {@code k} holds groups {@code groupsBefore[k] .. groupsBefore[k + 1]} at
     * bytes {@code sectionStart[k] .. sectionStart[k + 1]}. The metadata is put together and checksummed on
     * the heap, then copied into the file.
     */
    static void writeMetadata(MappedFile out, GroupBySpec spec, int maxParallelism, long groupCount,
                              long[] sectionStart, long[] groupsBefore, int[] sectionChecksums) {
        int aggregates = spec.aggregateCount();
        long fileBytes = sectionStart[maxParallelism] + TRAILER_BYTES;
        int metadataChecksum = (int) metadataChecksumOffset(aggregates, maxParallelism);
        ByteBuffer metadata = ByteBuffer.allocate(metadataChecksum + 8).order(ByteOrder.LITTLE_ENDIAN);
        metadata.putLong(H_MAGIC, MAGIC);
        metadata.putInt(H_VERSION, VERSION);
        metadata.putInt(H_KEY_TYPE, spec.keyType.ordinal());
        metadata.putInt(H_KEY_FIELD, spec.keyField);
        metadata.putInt(H_AGGREGATES, aggregates);
        metadata.putInt(H_ACC_COLUMNS, spec.accumulatorColumnCount());
        metadata.putInt(H_MAX_PARALLELISM, maxParallelism);
        metadata.putLong(H_GROUP_COUNT, groupCount);
        metadata.putLong(H_FILE_BYTES, fileBytes);
        for (int a = 0; a < aggregates; a++) {
            metadata.putLong(HEADER_FIXED_BYTES + a * OffHeapHashTable.DESCRIPTOR_BYTES,
                    OffHeapHashTable.descriptor(spec, a));
        }
        int index = (int) indexOffset(aggregates);
        for (int k = 0; k <= maxParallelism; k++) {
            metadata.putLong(index + k * INDEX_ENTRY_BYTES, sectionStart[k]);
            metadata.putLong(index + k * INDEX_ENTRY_BYTES + 8, groupsBefore[k]);
        }
        int checksums = (int) checksumsOffset(aggregates, maxParallelism);
        for (int k = 0; k < maxParallelism; k++) {
            metadata.putInt(checksums + 4 * k, sectionChecksums[k]);
        }
        CRC32C crc = new CRC32C();
        crc.update(metadata.array(), 0, metadataChecksum);
        metadata.putLong(metadataChecksum, crc.getValue());
        for (int p = 0; p < metadata.capacity(); p += 8) {
            out.putLong(p, metadata.getLong(p));
        }
        out.putLong(fileBytes - TRAILER_BYTES, fileBytes);
        out.putLong(fileBytes - 8, TRAILER_MAGIC);
    }

    // ---- reading -----------------------------------------------------------------------------------

    /**
     * Opens {@code path} and checks everything but the key groups' own checksums: magic, version, the
     * metadata checksum, length and trailer, that it was written for {@code spec} and {@code maxParallelism},
     * and that the index is consistent. Header and index are read into memory here; sections are read by
     * position when copied. Any failure is a {@link CorruptTableFileException} naming the file.
     */
    static SnapshotFile open(Path path, GroupBySpec spec, int maxParallelism, int readChunkBytes)
            throws IOException {
        StateFileReader in = StateFileReader.open(path, "snapshot file", readChunkBytes);
        try {
            return new SnapshotFile(in, readMetadata(in), spec, maxParallelism);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Header, index, key group checksums and metadata checksum, read and checked against that checksum. */
    private static ByteBuffer readMetadata(StateFileReader in) throws IOException {
        long size = in.size();
        if (size < 8 || in.read(H_MAGIC, 8).getLong(0) != MAGIC) {
            throw in.corrupt("not a Riffle table snapshot (bad magic number)");
        }
        if (size < HEADER_FIXED_BYTES) {
            throw in.corrupt("truncated: " + size + " bytes, shorter than a snapshot header");
        }
        ByteBuffer header = in.read(0, HEADER_FIXED_BYTES);
        int version = header.getInt(H_VERSION);
        if (version != VERSION) {
            throw in.corrupt("snapshot format version " + version + ", this build reads version " + VERSION);
        }
        int aggregates = header.getInt(H_AGGREGATES);
        int fileMaxParallelism = header.getInt(H_MAX_PARALLELISM);
        if (aggregates < 0 || aggregates > MAX_AGGREGATES || fileMaxParallelism < 1
                || fileMaxParallelism > KeyGroups.MAX_KEY_GROUPS) {
            throw in.corrupt("inconsistent header (" + aggregates + " aggregates, max parallelism "
                    + fileMaxParallelism + ")");
        }
        long metadataChecksum = metadataChecksumOffset(aggregates, fileMaxParallelism);
        if (size < metadataChecksum + 8) {
            throw in.corrupt("truncated: " + size + " bytes, shorter than its header and index");
        }
        ByteBuffer metadata = in.read(0, (int) metadataChecksum + 8);
        CRC32C crc = new CRC32C();
        crc.update(metadata.array(), 0, (int) metadataChecksum);
        if (metadata.getLong((int) metadataChecksum) != crc.getValue()) {
            throw in.corrupt("header or index fails its checksum");
        }
        return metadata;
    }

    private void check(GroupBySpec spec) throws IOException {
        long size = in.size();
        long fileBytes = metadata.getLong(H_FILE_BYTES);
        if (size != fileBytes) {
            throw in.corrupt((size < fileBytes ? "truncated: " : "too long: ") + size
                    + " bytes where the header promises " + fileBytes);
        }
        ByteBuffer trailer = in.read(size - TRAILER_BYTES, TRAILER_BYTES);
        if (trailer.getLong(8) != TRAILER_MAGIC || trailer.getLong(0) != fileBytes) {
            throw in.corrupt("bad trailer");
        }
        int aggregates = metadata.getInt(H_AGGREGATES);
        expect("key type", metadata.getInt(H_KEY_TYPE), spec.keyType.ordinal());
        expect("key field", metadata.getInt(H_KEY_FIELD), spec.keyField);
        expect("aggregate count", aggregates, spec.aggregateCount());
        expect("accumulator columns", metadata.getInt(H_ACC_COLUMNS), spec.accumulatorColumnCount());
        for (int a = 0; a < aggregates; a++) {
            if (metadata.getLong(HEADER_FIXED_BYTES + a * OffHeapHashTable.DESCRIPTOR_BYTES)
                    != OffHeapHashTable.descriptor(spec, a)) {
                throw in.corrupt("aggregate " + a + " (" + spec.outputSchema().column(a + 1).name()
                        + ") was written for another aggregate or input field");
            }
        }
        int fileMaxParallelism = metadata.getInt(H_MAX_PARALLELISM);
        if (fileMaxParallelism != maxParallelism) {
            throw in.corrupt("written for max parallelism " + fileMaxParallelism + ", restored with "
                    + maxParallelism + "; key groups only carry over at the same max parallelism");
        }
        checkIndex(fileBytes, metadata.getLong(H_GROUP_COUNT), aggregates);
    }

    /**
     * Sections in order, back to back, each as long as its group count implies (an empty key group has an
     * empty section): what restore relies on.
     */
    private void checkIndex(long fileBytes, long groupCount, int aggregates) throws IOException {
        if (start(0) != sectionsOffset(aggregates, maxParallelism) || groupsBefore(0) != 0
                || start(maxParallelism) != fileBytes - TRAILER_BYTES || groupsBefore(maxParallelism) != groupCount) {
            throw in.corrupt("inconsistent index: it does not span the file's " + groupCount + " groups");
        }
        for (int k = 0; k < maxParallelism; k++) {
            long groups = groupsBefore(k + 1) - groupsBefore(k);
            long bytes = start(k + 1) - start(k);
            long fixed = sectionBytes(utf8, columns, groups, 0);
            boolean fits = groups >= 0 && groups <= Integer.MAX_VALUE
                    && (utf8 && groups > 0 ? bytes >= fixed && (bytes & 7) == 0 : bytes == fixed);
            if (!fits) {
                throw in.corrupt("inconsistent index at key group " + k + " (" + groups + " groups in " + bytes
                        + " bytes)");
            }
        }
    }

    private void expect(String what, int found, int wanted) throws IOException {
        if (found != wanted) {
            throw in.corrupt("written with " + what + " " + found + ", the spec has " + wanted);
        }
    }

    Path path() {
        return in.path();
    }

    void close() throws IOException {
        in.close();
    }

    long start(int keyGroup) {
        return metadata.getLong(index + keyGroup * INDEX_ENTRY_BYTES);
    }

    private long groupsBefore(int keyGroup) {
        return metadata.getLong(index + keyGroup * INDEX_ENTRY_BYTES + 8);
    }

    /** The number of groups in key group {@code keyGroup}. */
    int groups(int keyGroup) {
        return (int) (groupsBefore(keyGroup + 1) - groupsBefore(keyGroup));
    }

    /** The bytes a utf8 section keeps for its keys: their total length rounded up to 8. */
    long keyBytes(int keyGroup) {
        return start(keyGroup + 1) - start(keyGroup) - sectionBytes(true, columns, groups(keyGroup), 0);
    }

    /**
     * Smallest and largest integer key of key group {@code keyGroup}, folded into {@code range}: its key
     * column read through {@code scratch} ({@link StateFileReader#CHUNK_BYTES} bytes). The section is not
     * verified yet; a damaged one only changes how the table is laid out before {@link #copyInto} fails.
     */
    void foldKeyRange(int keyGroup, long[] range, long scratch) throws IOException {
        long n = groups(keyGroup);
        long keys = start(keyGroup) + 8 * n;
        int chunkKeys = in.chunkBytes() >>> 3;
        for (long from = 0; from < n; from += chunkKeys) {
            int count = (int) Math.min(chunkKeys, n - from);
            in.read(keys + 8 * from, scratch, 8L * count, null);
            for (int r = 0; r < count; r++) {
                long key = MemoryUtil.getLong(scratch + 8L * r);
                range[0] = Math.min(range[0], key);
                range[1] = Math.max(range[1], key);
            }
        }
    }

    /**
     * Reads key group {@code keyGroup} into {@code table} as groups {@code firstGroup ..}, each column
     * straight into the table's memory (utf8: the key lengths through {@code scratch}, the key bytes into the
     * arena at {@code arenaUsed}), and checks the section's checksum over what was read. Returns the arena
     * bytes used after the keys. A damaged section leaves the groups half written: the caller drops the table.
     */
    long copyInto(OffHeapHashTable table, int keyGroup, int firstGroup, long arenaUsed, long scratch, CRC32C crc)
            throws IOException {
        int n = groups(keyGroup);
        long column = 8L * n;
        long at = start(keyGroup);
        crc.reset();
        in.read(at, table.hashesAddress() + 8L * firstGroup, column, crc);
        at += column;
        if (!utf8) {
            in.read(at, table.keysAddress() + 8L * firstGroup, column, crc);
            at += column;
        }
        for (int c = 0; c < columns; c++) {
            in.read(at, table.accumulatorAddress(c) + 8L * firstGroup, column, crc);
            at += column;
        }
        long used = arenaUsed;
        if (utf8) {
            used = copyUtf8Keys(table, keyGroup, firstGroup, arenaUsed, at, scratch, crc);
        }
        if ((int) crc.getValue() != metadata.getInt(checksums + 4 * keyGroup)) {
            throw in.corrupt("key group " + keyGroup + " fails its checksum");
        }
        return used;
    }

    /**
     * The utf8 keys of key group {@code keyGroup}, whose lengths start at file position {@code lengths}: each
     * key's arena offset and length into the table's key entries, the bytes (with the padding after them)
     * into the arena. Returns the arena bytes used after them.
     */
    private long copyUtf8Keys(OffHeapHashTable table, int keyGroup, int firstGroup, long arenaUsed, long lengths,
                              long scratch, CRC32C crc) throws IOException {
        int n = groups(keyGroup);
        long bytes = lengths + align8(4L * n);
        long room = start(keyGroup + 1) - bytes;
        long entries = table.keysAddress() + (long) firstGroup * 16;
        int chunkLengths = in.chunkBytes() >>> 2;
        long total = 0;
        for (int from = 0; from < n; from += chunkLengths) {
            int count = Math.min(chunkLengths, n - from);
            in.read(lengths + 4L * from, scratch, 4L * count, crc);
            for (int r = 0; r < count; r++) {
                int length = MemoryUtil.getInt(scratch + 4L * r);
                if (length < 0 || total + length > room) {
                    throw in.corrupt("key group " + keyGroup + " has key lengths beyond its section");
                }
                long entry = entries + 16L * (from + r);
                MemoryUtil.putLong(entry, arenaUsed + total);
                MemoryUtil.putLong(entry + 8, length);
                total += length;
            }
        }
        long padding = align8(4L * n) - 4L * n;
        in.read(lengths + 4L * n, scratch, padding, crc);
        in.read(bytes, table.arenaAddress() + arenaUsed, room, crc);
        return arenaUsed + total;
    }

    // ---- restore -----------------------------------------------------------------------------------

    /**
     * The groups of the key groups {@code keyGroups} of {@code files}, in one new table: every file is
     * opened and its header and index checked, the table is sized from the indexes (integer keys dense
     * enough for the direct index go into it), then filled section by section, each read by position into
     * the table's memory and verified against its checksum.
     */
    static OffHeapHashTable restore(GroupBySpec spec, BufferAllocator allocator, long budgetBytes, List<Path> paths,
                                    KeyGroupRange keyGroups, int readChunkBytes) throws IOException {
        KeyGroups.check(keyGroups.maxParallelism(), 1);
        List<SnapshotFile> files = new ArrayList<>(paths.size());
        try {
            for (Path path : paths) {
                files.add(open(path, spec, keyGroups.maxParallelism(), readChunkBytes));
            }
            return restore(spec, allocator, budgetBytes, files, keyGroups.first(), keyGroups.endExclusive(),
                    readChunkBytes);
        } finally {
            for (SnapshotFile file : files) {
                file.close();
            }
        }
    }

    /** {@link #restore} of files already opened: tests change a file between its checks and its copy. */
    static OffHeapHashTable restore(GroupBySpec spec, BufferAllocator allocator, long budgetBytes,
                                    List<SnapshotFile> files, int first, int last, int readChunkBytes)
            throws IOException {
        boolean utf8 = spec.keyType == ColumnType.UTF8;
        long groups = 0;
        long keyBytes = 0;
        for (int k = first; k < last; k++) {
            SnapshotFile owner = null;
            for (SnapshotFile file : files) {
                if (file.groups(k) == 0) {
                    continue;
                }
                if (owner != null) {
                    throw new IllegalArgumentException("key group " + k + " has groups in both " + owner.path()
                            + " and " + file.path() + "; a key group's state is in one file of a checkpoint");
                }
                owner = file;
                groups += file.groups(k);
                if (utf8) {
                    keyBytes += file.keyBytes(k);
                }
            }
        }
        int most = OffHeapHashTable.maxGroupsFor(OffHeapHashTable.MAX_CAPACITY, OffHeapHashTable.DEFAULT_LOAD_FACTOR);
        if (groups > most) {
            throw new IllegalArgumentException(groups + " groups in key groups [" + first + ", " + last
                    + "): more than one table holds (" + most + "); restore a narrower range");
        }
        try (ArrowBuf scratch = allocator.buffer(readChunkBytes)) {
            long[] keyRange = {Long.MAX_VALUE, Long.MIN_VALUE};
            if (!utf8) {
                for (int k = first; k < last; k++) {
                    for (SnapshotFile file : files) {
                        file.foldKeyRange(k, keyRange, scratch.memoryAddress());
                    }
                }
            }
            long span = keyRange[1] - keyRange[0] + 1;
            boolean direct = !utf8 && (groups == 0 || span > 0 && span <= OffHeapHashTable.directSpanLimit(groups));
            OffHeapHashTable table = OffHeapHashTable.forRestore(spec, allocator, budgetBytes, (int) groups, direct,
                    keyBytes);
            try {
                CRC32C crc = new CRC32C();
                int next = 0;
                long arenaUsed = 0;
                for (int k = first; k < last; k++) {
                    for (SnapshotFile file : files) {
                        if (file.groups(k) > 0) {
                            arenaUsed = file.copyInto(table, k, next, arenaUsed, scratch.memoryAddress(), crc);
                            next += file.groups(k);
                        }
                    }
                }
                table.completeRestore(next, arenaUsed, keyRange[0], groups == 0 ? 0 : span);
                return table;
            } catch (IOException | RuntimeException | Error e) {
                table.close();
                throw e;
            }
        }
    }
}
