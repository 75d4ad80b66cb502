package io.riffle.columnar.hash;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.riffle.columnar.batch.ColumnType;
import io.riffle.columnar.kernel.KeyGroups;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * The snapshot file format ({@code docs/hash-table-layout.md}, "Snapshot files"): where each part lies, the
 * metadata {@link TableSnapshot#writeTo} writes, and a flyweight over a mapped file that checks it and reads
 * one key group's section at a time, for {@link OffHeapHashTable#restore}. Single-threaded.
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

    private final Path path;
    private final MappedFile map;
    private final boolean utf8;
    private final int columns;
    private final int maxParallelism;
    private final long index;
    private final long checksums;

    private SnapshotFile(Path path, MappedFile map, GroupBySpec spec, int maxParallelism) {
        this.path = path;
        this.map = map;
        this.utf8 = spec.keyType == ColumnType.UTF8;
        this.columns = spec.accumulatorColumnCount();
        this.maxParallelism = maxParallelism;
        this.index = indexOffset(spec.aggregateCount());
        this.checksums = checksumsOffset(spec.aggregateCount(), maxParallelism);
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
     * bytes {@code sectionStart[k] .. sectionStart[k + 1]}.
     */
    static void writeMetadata(MappedFile out, GroupBySpec spec, int maxParallelism, long groupCount,
                              long[] sectionStart, long[] groupsBefore, int[] sectionChecksums) {
        int aggregates = spec.aggregateCount();
        long fileBytes = sectionStart[maxParallelism] + TRAILER_BYTES;
        for (int p = 0; p < HEADER_FIXED_BYTES; p += 8) {
            out.putLong(p, 0L);
        }
        out.putLong(H_MAGIC, MAGIC);
        out.putInt(H_VERSION, VERSION);
        out.putInt(H_KEY_TYPE, spec.keyType.ordinal());
        out.putInt(H_KEY_FIELD, spec.keyField);
        out.putInt(H_AGGREGATES, aggregates);
        out.putInt(H_ACC_COLUMNS, spec.accumulatorColumnCount());
        out.putInt(H_MAX_PARALLELISM, maxParallelism);
        out.putLong(H_GROUP_COUNT, groupCount);
        out.putLong(H_FILE_BYTES, fileBytes);
        for (int a = 0; a < aggregates; a++) {
            out.putLong(HEADER_FIXED_BYTES + (long) a * OffHeapHashTable.DESCRIPTOR_BYTES,
                    OffHeapHashTable.descriptor(spec, a));
        }
        long index = indexOffset(aggregates);
        for (int k = 0; k <= maxParallelism; k++) {
            out.putLong(index + (long) k * INDEX_ENTRY_BYTES, sectionStart[k]);
            out.putLong(index + (long) k * INDEX_ENTRY_BYTES + 8, groupsBefore[k]);
        }
        long checksums = checksumsOffset(aggregates, maxParallelism);
        for (int k = 0; k < maxParallelism; k++) {
            out.putInt(checksums + 4L * k, sectionChecksums[k]);
        }
        long metadataChecksum = metadataChecksumOffset(aggregates, maxParallelism);
        if ((maxParallelism & 1) != 0) {
            out.putInt(metadataChecksum - 4, 0); // the padding after an odd number of checksums
        }
        out.putLong(metadataChecksum, out.crc32c(0, metadataChecksum) & 0xFFFFFFFFL);
        out.putLong(fileBytes - TRAILER_BYTES, fileBytes);
        out.putLong(fileBytes - 8, TRAILER_MAGIC);
    }

    // ---- reading -----------------------------------------------------------------------------------

    /**
     * Maps {@code path} and checks everything but the key groups' own checksums: magic, version, the
     * metadata checksum, length and trailer, that it was written for {@code spec} and {@code maxParallelism},
     * and that the index is consistent. Any failure is a {@link CorruptTableFileException} naming the file.
     */
    static SnapshotFile open(Path path, GroupBySpec spec, int maxParallelism, int chunkShift) throws IOException {
        MappedFile map = MappedFile.open(path, chunkShift);
        try {
            SnapshotFile file = new SnapshotFile(path, map, spec, maxParallelism);
            file.check(spec);
            return file;
        } catch (IOException | RuntimeException e) {
            map.close();
            throw e;
        }
    }

    private void check(GroupBySpec spec) throws IOException {
        long size = map.size();
        if (size < 8 || map.getLong(H_MAGIC) != MAGIC) {
            throw corrupt("not a Riffle table snapshot (bad magic number)");
        }
        if (size < HEADER_FIXED_BYTES) {
            throw corrupt("truncated: " + size + " bytes, shorter than a snapshot header");
        }
        int version = map.getInt(H_VERSION);
        if (version != VERSION) {
            throw corrupt("snapshot format version " + version + ", this build reads version " + VERSION);
        }
        int aggregates = map.getInt(H_AGGREGATES);
        int fileMaxParallelism = map.getInt(H_MAX_PARALLELISM);
        if (aggregates < 0 || aggregates > MAX_AGGREGATES || fileMaxParallelism < 1
                || fileMaxParallelism > KeyGroups.MAX_KEY_GROUPS) {
            throw corrupt("inconsistent header (" + aggregates + " aggregates, max parallelism " + fileMaxParallelism
                    + ")");
        }
        long metadataChecksum = metadataChecksumOffset(aggregates, fileMaxParallelism);
        if (size < metadataChecksum + 8) {
            throw corrupt("truncated: " + size + " bytes, shorter than its header and index");
        }
        if (map.getLong(metadataChecksum) != (map.crc32c(0, metadataChecksum) & 0xFFFFFFFFL)) {
            throw corrupt("header or index fails its checksum");
        }
        long fileBytes = map.getLong(H_FILE_BYTES);
        if (size != fileBytes) {
            throw corrupt((size < fileBytes ? "truncated: " : "too long: ") + size + " bytes where the header promises "
                    + fileBytes);
        }
        if (map.getLong(size - 8) != TRAILER_MAGIC || map.getLong(size - TRAILER_BYTES) != fileBytes) {
            throw corrupt("bad trailer");
        }
        expect("key type", map.getInt(H_KEY_TYPE), spec.keyType.ordinal());
        expect("key field", map.getInt(H_KEY_FIELD), spec.keyField);
        expect("aggregate count", aggregates, spec.aggregateCount());
        expect("accumulator columns", map.getInt(H_ACC_COLUMNS), spec.accumulatorColumnCount());
        for (int a = 0; a < aggregates; a++) {
            if (map.getLong(HEADER_FIXED_BYTES + (long) a * OffHeapHashTable.DESCRIPTOR_BYTES)
                    != OffHeapHashTable.descriptor(spec, a)) {
                throw corrupt("aggregate " + a + " (" + spec.outputSchema().column(a + 1).name()
                        + ") was written for another aggregate or input field");
            }
        }
        if (fileMaxParallelism != maxParallelism) {
            throw corrupt("written for max parallelism " + fileMaxParallelism + ", restored with " + maxParallelism
                    + "; key groups only carry over at the same max parallelism");
        }
        checkIndex(fileBytes, map.getLong(H_GROUP_COUNT), aggregates);
    }

    /** Sections in order, back to back, each as long as its group count implies: what restore relies on. */
    private void checkIndex(long fileBytes, long groupCount, int aggregates) throws IOException {
        if (start(0) != sectionsOffset(aggregates, maxParallelism) || groupsBefore(0) != 0
                || start(maxParallelism) != fileBytes - TRAILER_BYTES || groupsBefore(maxParallelism) != groupCount) {
            throw corrupt("inconsistent index: it does not span the file's " + groupCount + " groups");
        }
        for (int k = 0; k < maxParallelism; k++) {
            long groups = groups(k);
            long bytes = start(k + 1) - start(k);
            long fixed = sectionBytes(utf8, columns, groups, 0);
            boolean fits = groups >= 0 && groups <= Integer.MAX_VALUE
                    && (utf8 ? bytes >= fixed && (bytes & 7) == 0 : bytes == fixed);
            if (!fits) {
                throw corrupt("inconsistent index at key group " + k + " (" + groups + " groups in " + bytes
                        + " bytes)");
            }
        }
    }

    private void expect(String what, int found, int wanted) throws IOException {
        if (found != wanted) {
            throw corrupt("written with " + what + " " + found + ", the spec has " + wanted);
        }
    }

    private CorruptTableFileException corrupt(String what) {
        return new CorruptTableFileException("snapshot file " + path + ": " + what);
    }

    Path path() {
        return path;
    }

    long start(int keyGroup) {
        return map.getLong(index + (long) keyGroup * INDEX_ENTRY_BYTES);
    }

    private long groupsBefore(int keyGroup) {
        return map.getLong(index + (long) keyGroup * INDEX_ENTRY_BYTES + 8);
    }

    /** The number of groups in key group {@code keyGroup}. */
    int groups(int keyGroup) {
        return (int) (groupsBefore(keyGroup + 1) - groupsBefore(keyGroup));
    }

    /** The bytes a utf8 section keeps for its keys: their total length rounded up to 8. */
    long keyBytes(int keyGroup) {
        return start(keyGroup + 1) - start(keyGroup) - sectionBytes(true, columns, groups(keyGroup), 0);
    }

    void verify(int keyGroup) throws IOException {
        long start = start(keyGroup);
        if (map.crc32c(start, start(keyGroup + 1) - start) != map.getInt(checksums + 4L * keyGroup)) {
            throw corrupt("key group " + keyGroup + " fails its checksum");
        }
    }

    /** Smallest and largest integer key of key group {@code keyGroup}, folded into {@code range}. */
    void foldKeyRange(int keyGroup, long[] range) {
        int n = groups(keyGroup);
        long keys = start(keyGroup) + 8L * n;
        for (int r = 0; r < n; r++) {
            long key = map.getLong(keys + 8L * r);
            range[0] = Math.min(range[0], key);
            range[1] = Math.max(range[1], key);
        }
    }

    /**
     * Copies key group {@code keyGroup} into {@code table} as groups {@code firstGroup ..}: hashes, keys and
     * accumulator columns block by block; utf8 key bytes go to the arena at {@code arenaUsed}. Returns the
     * arena bytes used after them.
     */
    long copyInto(OffHeapHashTable table, int keyGroup, int firstGroup, long arenaUsed) throws IOException {
        int n = groups(keyGroup);
        long column = 8L * n;
        long at = start(keyGroup);
        map.copyOut(at, table.hashesAddress() + 8L * firstGroup, column);
        at += column;
        if (!utf8) {
            map.copyOut(at, table.keysAddress() + 8L * firstGroup, column);
            at += column;
        }
        for (int c = 0; c < columns; c++) {
            map.copyOut(at, table.accumulatorAddress(c) + 8L * firstGroup, column);
            at += column;
        }
        if (!utf8) {
            return arenaUsed;
        }
        long lengths = at;
        long bytes = lengths + align8(4L * n);
        long room = start(keyGroup + 1) - bytes;
        long keys = table.keysAddress() + (long) firstGroup * 16;
        long total = 0;
        for (int r = 0; r < n; r++) {
            int length = map.getInt(lengths + 4L * r);
            if (length < 0 || total + length > room) {
                throw corrupt("key group " + keyGroup + " has key lengths beyond its section");
            }
            MemoryUtil.putLong(keys + 16L * r, arenaUsed + total);
            MemoryUtil.putLong(keys + 16L * r + 8, length);
            total += length;
        }
        map.copyOut(bytes, table.arenaAddress() + arenaUsed, total);
        return arenaUsed + total;
    }

    // ---- restore -----------------------------------------------------------------------------------

    /**
     * The groups of key groups {@code [first, last)} of {@code files}, in one new table: every file is
     * checked, every section in range verified, before the table is sized from the index and filled section
     * by section. Integer keys dense enough for the direct index are restored into it.
     */
    static OffHeapHashTable restore(GroupBySpec spec, BufferAllocator allocator,
                                    long budgetBytes, List<Path> paths, int maxParallelism, int first, int last,
                                    int chunkShift) throws IOException {
        KeyGroups.check(maxParallelism, 1);
        if (first < 0 || first > last || last > maxParallelism) {
            throw new IllegalArgumentException("key groups [" + first + ", " + last + ") are not within [0, "
                    + maxParallelism + "), the key groups of max parallelism " + maxParallelism);
        }
        List<SnapshotFile> files = new ArrayList<>(paths.size());
        try {
            for (Path path : paths) {
                files.add(open(path, spec, maxParallelism, chunkShift));
            }
            boolean utf8 = spec.keyType == ColumnType.UTF8;
            long groups = 0;
            long keyBytes = 0;
            long[] keyRange = {Long.MAX_VALUE, Long.MIN_VALUE};
            for (int k = first; k < last; k++) {
                SnapshotFile owner = null;
                for (SnapshotFile file : files) {
                    file.verify(k);
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
                    } else {
                        file.foldKeyRange(k, keyRange);
                    }
                }
            }
            int most = OffHeapHashTable.maxGroupsFor(OffHeapHashTable.MAX_CAPACITY,
                    OffHeapHashTable.DEFAULT_LOAD_FACTOR);
            if (groups > most) {
                throw new IllegalArgumentException(groups + " groups in key groups [" + first + ", " + last
                        + "): more than one table holds (" + most + "); restore a narrower range");
            }
            long span = keyRange[1] - keyRange[0] + 1;
            boolean direct = !utf8 && (groups == 0 || span > 0 && span <= OffHeapHashTable.directSpanLimit(groups));
            OffHeapHashTable table = OffHeapHashTable.forRestore(spec, allocator, budgetBytes, (int) groups, direct,
                    keyBytes);
            try {
                int next = 0;
                long arenaUsed = 0;
                for (int k = first; k < last; k++) {
                    for (SnapshotFile file : files) {
                        if (file.groups(k) > 0) {
                            arenaUsed = file.copyInto(table, k, next, arenaUsed);
                            next += file.groups(k);
                        }
                    }
                }
                table.completeRestore(next, arenaUsed, keyRange[0], groups == 0 ? 0 : span);
                return table;
            } catch (IOException | RuntimeException e) {
                table.close();
                throw e;
            }
        } finally {
            for (SnapshotFile file : files) {
                file.map.close();
            }
        }
    }
}
